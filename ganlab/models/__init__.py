"""One keras.Model subclass per GAN variant; train_step lives here."""
from ganlab.models.base import GANBase
from ganlab.models.gan import GAN
