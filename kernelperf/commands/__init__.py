"""One module per `kernelperf` subcommand: its flags (`register`) and its handler."""
