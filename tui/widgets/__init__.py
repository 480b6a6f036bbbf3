"""The widgets of the reader, one per module."""
