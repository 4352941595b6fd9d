"""The subcommands of ``autograd-tiny``, one module each (see ``cli.py``)."""
