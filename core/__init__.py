"""The core of the RNN tutor: the maths, the course's exercise engine and the progress store, with no UI.

rnn/ (the character RNN: forward pass, BPTT, training; reference.py is the plain min-char-rnn oracle),
gradients/ (vanilla, LSTM and GRU cells and how their gradients decay), course/ (lessons, quizzes,
exercises and the engine that reads and grades answers), progress/ (the store of checked answers, through
SQLAlchemy). The few shared modules at this level: paths, errors, formatting, app_pages, the CLI.
Nothing here imports streamlit, so every piece is tested and benchmarked on its own.
"""
