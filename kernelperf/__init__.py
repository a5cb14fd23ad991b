"""The `kernelperf` command line: the composition root that parses arguments and calls packages."""
