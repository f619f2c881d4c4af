"""How gradients vanish and explode: vanilla, LSTM and GRU cells and their decay curves."""
