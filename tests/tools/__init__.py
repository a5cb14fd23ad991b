"""Developer tools that the tests and the Makefile share (headless Chromium, the screenshot)."""
