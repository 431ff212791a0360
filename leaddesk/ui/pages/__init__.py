"""One module per sidebar page: each lays out widgets and calls core functions."""
