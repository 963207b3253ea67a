"""Readers that turn files into the model's records."""
