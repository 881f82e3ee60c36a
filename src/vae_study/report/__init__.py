"""What only the report stages (summarize, plot, claims) import: an edit here reruns them in seconds, never training."""
