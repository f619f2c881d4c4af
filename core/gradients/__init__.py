"""How gradients vanish and explode: vanilla, LSTM and GRU cells (cells/) and their decay curves.

decay.py is the API the gradients screen calls; forward.py, ops.py and sweep.py are its NumPy path,
kernels.py the same loops compiled with numba and jit.py the switch between the two (RNN_TUTOR_JIT),
reference.py the explicit-Jacobian oracle both are tested against, captions.py and chart_data.py what the
screen shows, bounds.py the product bound and the steps it takes to vanish.
"""
