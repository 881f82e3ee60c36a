"""Convolutional VAE study as a reproducible DVC pipeline, in three parts by what an edit costs.

``core`` is what the train and embed stages run (an edit retrains every run), ``ingest`` reads and prepares the
raw data, ``report`` is what summarize, plot and claims run (an edit reruns them in about a minute). Importing the
package imports no TensorFlow, so a stage chooses the process-wide settings first (``vae_study.core.backend``).
"""
