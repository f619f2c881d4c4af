"""How gradients vanish and explode: vanilla, LSTM and GRU cells (cells/) and their decay curves.

decay.py is the API the gradients screen calls; forward.py and sweep.py are its fast path, reference.py
the explicit-Jacobian oracle it is tested against, captions.py and chart_data.py what the screen shows.
"""
