"""The vanilla character RNN: parameters, vocabulary, activations, the forward pass and BPTT, training.

Read reference.py first: the min-char-rnn loop, one chain-rule factor per line. model.py computes the
same values vectorised and keeps every intermediate (the traces the exercises check); tests hold the two
to 1e-12 of each other and to central differences (gradcheck.py).
"""
