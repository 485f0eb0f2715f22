"""What `GANBase.fit` hands Keras: the caller's tf.data pipeline, with autotuning off."""

import keras
import numpy as np
import tensorflow as tf

from ganlab.data import toy_dataset
from ganlab.models import GAN
from ganlab.nets import mlp_discriminator, mlp_generator


def test_fit_trains_from_the_pipeline_with_autotuning_off(monkeypatch):
    seen = []
    original = keras.Model.fit

    def spy(self, x=None, *args, **kwargs):
        seen.append(x)
        return original(self, x, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy)
    gan = GAN(mlp_generator(2, 1, (8,)), mlp_discriminator(1, (8,)), seed=0)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    samples = np.random.default_rng(0).normal(size=(256, 1)).astype("float32")
    data = toy_dataset(samples, 32, seed=0)
    assert data.options().autotune.enabled is not False  # the caller's pipeline, as built
    gan.fit(data, epochs=1, steps_per_epoch=2, verbose=0)
    gan.fit(x=data, epochs=1, steps_per_epoch=2, verbose=0)  # passed by keyword too
    assert len(seen) == 2
    for x in seen:
        assert isinstance(x, tf.data.Dataset) and x.options().autotune.enabled is False
        assert x.element_spec == data.element_spec
