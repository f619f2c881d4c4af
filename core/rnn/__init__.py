"""The vanilla character RNN: parameters, vocabulary, activations, the forward pass and BPTT, training."""
