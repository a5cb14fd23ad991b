"""`make bench`: speed shown as ratios measured side by side in one process, never asserted."""
