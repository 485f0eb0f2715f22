"""One keras.Model subclass per GAN variant; train_step lives here."""
from ganlab.models.base import GANBase
from ganlab.models.cgan import ConditionalGAN
from ganlab.models.cyclegan import CycleGAN
from ganlab.models.gan import GAN
from ganlab.models.lapgan import LAPGAN
from ganlab.models.pix2pix import Pix2Pix
from ganlab.models.pool import ImagePool
from ganlab.models.progan import ProGAN
from ganlab.models.schedules import ConstantThenLinearDecay
from ganlab.models.srgan import SRGAN
from ganlab.models.stylegan import StyleGAN
from ganlab.models.text2image import GANCLS, JointEmbedding
from ganlab.models.wgan import WGAN, WGANGP
