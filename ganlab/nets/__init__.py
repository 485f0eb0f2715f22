"""Architectures: functions that build a keras.Model."""
from ganlab.nets.conditional import conditional_dcgan_discriminator, conditional_dcgan_generator
from ganlab.nets.cyclegan import resnet_generator
from ganlab.nets.dcgan import dcgan_discriminator, dcgan_generator
from ganlab.nets.judge import build_judge, judge_features, judge_predict, load_judge
from ganlab.nets.layers import MinibatchDiscrimination, MinibatchStddev, ReflectionPadding2D
from ganlab.nets.mlp import mlp_discriminator, mlp_generator
from ganlab.nets.parallel_lines import ParallelLine, parallel_line_generator
from ganlab.nets.pix2pix import GlobalBatchDropout, patchgan_discriminator, receptive_field, unet_generator
from ganlab.nets.progan import FadeIn, ProgressiveDiscriminator, ProgressiveGenerator
from ganlab.nets.srgan import PixelShuffle, srgan_discriminator, srresnet_generator, vgg19_features
from ganlab.nets.style_layers import (
    AdaIN,
    EqualizedConv2D,
    EqualizedDense,
    LearnedConstant,
    NoiseInput,
    PixelNorm,
)
from ganlab.nets.stylegan import mapping_network, style_discriminator, synthesis_network
