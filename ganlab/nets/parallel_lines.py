"""The generator of Arjovsky's Example 1: z -> (theta, z), one trainable number."""

import keras
from keras import ops


@keras.saving.register_keras_serializable("ganlab")
class ParallelLine(keras.layers.Layer):
    """Maps u ~ U[-1, 1] to (theta, (u + 1) / 2): the segment P_theta = (theta, Z), Z ~ U[0, 1].

    theta is the layer's only weight, so a generator built from it is a
    one-parameter family, and the gradient of a generator loss with respect
    to theta is what a discriminator or critic "hands the generator"
    (Arjovsky 2017, Example 1 and Figure 1).

    Args:
        theta: initial horizontal offset of the segment.
    """

    def __init__(self, theta=0.0, **kwargs):
        super().__init__(**kwargs)
        self.initial_theta = float(theta)

    def build(self, input_shape):
        if input_shape[-1] != 1:
            raise ValueError(
                f"ParallelLine takes a 1-dimensional latent. Received: input_shape={input_shape}"
            )
        self.theta = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(self.initial_theta), name="theta"
        )

    def call(self, u):
        z = (ops.cast(u, self.compute_dtype) + 1.0) / 2.0
        return ops.concatenate([ops.zeros_like(z) + self.theta, z], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 2)

    def get_config(self):
        return {**super().get_config(), "theta": self.initial_theta}


def parallel_line_generator(theta=0.0, name="parallel_line"):
    """A generator of P_theta for a "uniform" latent prior of dimension 1.

    Example:
        >>> g = parallel_line_generator(0.5)
        >>> g(keras.ops.convert_to_tensor([[-1.0], [1.0]])).numpy().tolist()
        [[0.5, 0.0], [0.5, 1.0]]
    """
    u = keras.Input((1,), name="u")
    return keras.Model(u, ParallelLine(theta, name="line")(u), name=name)
