"""margin's front ends: the Textual reader and the ``margin`` command line."""
