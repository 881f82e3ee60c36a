"""The core: what the train and embed stages run; an edit here makes every trained run stale (a rerun of the study)."""
