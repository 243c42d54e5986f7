"""The routing engine: matching a demand to the responsibility list and to past cases, training
the learned model, measuring it, and previewing what a draft list would change."""
