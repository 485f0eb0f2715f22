"""The names of the embedded datasets: what works offline (images and tfds both need them)."""

EMBEDDED_DATASETS = ("digits", "faces", "photos", "printed_digits")
"""Names of the datasets built from files that installed packages ship."""
