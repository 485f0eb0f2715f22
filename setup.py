"""Install ganlab: `pip install -e .` (and `.[test]` for the test suite)."""
from setuptools import find_packages, setup

setup(
    name="ganlab",
    version="0.1.0",
    description="A TensorFlow / Keras 3 toolkit for a course on Generative Adversarial Networks",
    packages=find_packages(include=["ganlab", "ganlab.*"]),
    python_requires=">=3.10",
    install_requires=[
        "tensorflow>=2.16,<2.22",
        "keras>=3.3",
        "tensorboard",
        "numpy",
        "scipy",
        "matplotlib",
        "pillow",
        "scikit-learn",
        "scikit-image",
        # Real datasets (MNIST, CIFAR-10, CelebA, ...); imported lazily.
        "tensorflow-datasets",
        # tensorflow-datasets needs it to download but does not declare it.
        "importlib_resources",
    ],
    extras_require={
        # The suite, the layers' contract (.importlinter) and the linter (ruff.toml).
        "test": ["pytest", "import-linter", "ruff"],
    },
    entry_points={"console_scripts": ["ganlab=ganlab.cli:main"]},
)
