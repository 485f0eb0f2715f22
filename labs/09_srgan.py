"""Lab 09 - SRGAN: 4x super-resolution, SRResNet then SRGAN, against bicubic (Ledig 2017).

G (SRResNet: residual blocks with batchnorm and per-channel PReLU, sub-pixel
upsampling with depth_to_space) maps a 16x16 LR crop to its 64x64 HR crop.
Stage 1 trains G alone on the pixel MSE: SRResNet. Stage 2 starts from it
and adds a discriminator: G descends the content loss plus 1e-3 times the
non-saturating adversarial loss. The offline default content loss is the
pixel MSE, so stage 2 is SRGAN-MSE (the paper's Table 2); the paper's SRGAN
is --content vgg54 (phi_5,4 of VGG19, or vgg22), which needs the VGG19
ImageNet weights in the Keras cache or at --vgg-weights (they are never
downloaded here, and nothing else is put in their place). Data: native-
resolution crops of the embedded photos' training images; LR by bicubic
downsampling with antialiasing; held-out: 36 tiles of 96x96 from chelsea
and flower, never trained on (--data div2k trains on DIV2K instead, and
--test-folder PATH also reports on Set5 / Set14 / BSD100 HR images). In
runs/09_srgan/:

* samples.png: held-out tiles, bicubic | SRResNet | SRGAN | HR, with PSNR /
  SSIM (Y channel, 4-pixel border cropped, as the paper) in the titles.
  SRResNet is the most faithful (highest PSNR) and smooth; SRGAN puts back
  fine detail (more high-frequency energy) at some cost in PSNR;
* metrics.json: the table over the 36 held-out tiles (per-tile PSNR/SSIM
  of each method and the means); TensorBoard (tb/srresnet, tb/srgan);
* srresnet.keras, generator.keras (SRGAN), discriminator.keras.

PSNR/SSIM are on Y with the border crop: RGB or uncropped figures are
lower and are not comparable with the paper's tables. The baseline is the
same bicubic resize that made the LR tiles.

Grading bar (recomputed by the grader from both saved generators on the
36 held-out tiles at x4): SRResNet's mean PSNR at least 0.5 dB above
bicubic's; SRGAN's high-frequency energy (gradient energy of Y relative
to HR's) above SRResNet's and closer to HR's; SRGAN's PSNR at most 2 dB
below bicubic's. --quick, seeds 0 / 1 / 2 (bicubic: 37.87 dB, SSIM
0.8655, hf energy 0.144): SRResNet 38.52 / 38.51 / 38.60 dB (+0.65 /
+0.64 / +0.73), SSIM 0.8848 / 0.8844 / 0.8853, hf energy 0.262 / 0.266 /
0.257; SRGAN 37.67 / 38.03 / 38.06 dB (0.20 under bicubic / 0.16 and 0.19
above), SSIM 0.8801 / 0.8837 / 0.8825, hf energy 0.327 / 0.292 / 0.296:
all pass. SRGAN-MSE trades 0.5-0.9 dB of SRResNet's PSNR for 10-25% more
fine detail, still far from HR's (1): 200 steps of 1e-3 adversarial weight
move G only a little. On the detailed tiles (fur, petals: samples.png)
SRGAN keeps SRResNet's PSNR; it loses it on the defocused background,
where its added texture is artefact. 6:50 / 6:32 / 3:56 wall on the 2-core
CPU at load average 8-11 (three other training jobs), peak RSS 1.23 GB.

--quick: 64x64 HR crops, 4 blocks of 32 filters, G's output added to the
bicubic upsampling of its input (--bicubic-skip, so a two-minute run
starts from the baseline; without it such a run stays 7 dB under bicubic),
D 16-128 filters and dense 128; Adam 1e-3 decaying linearly to 0 over 600
steps (stage 1), then 1e-4 over 200 steps (stage 2). The full
configuration is the paper's: 16 blocks of 64 filters, 96x96 HR crops,
D 64-512 and dense 1024, Adam 1e-4.

    python labs/09_srgan.py --quick
"""

from ganlab import grading  # first: importing ganlab silences TensorFlow's start-up noise
from ganlab.grading import srgan as grader
from ganlab.recipes import srgan
from ganlab.training import lab


def main(args):
    quick = args.quick
    hr_size = args.hr_size or (64 if quick else 96)
    blocks = args.blocks if args.blocks is not None else (4 if quick else 16)
    filters = args.filters or (32 if quick else 64)
    skip = quick if args.bicubic_skip is None else args.bicubic_skip == "on"
    steps = args.steps or (100 if quick else 1000)
    gan_epochs = args.gan_epochs or (2 if quick else 100)
    lr = args.lr or (1e-3 if quick else 1e-4)
    lab.runtime().check_batch_size(args.batch_size)
    variant = srgan.VARIANTS[args.content]

    def build_srresnet():
        return lab.runtime().build(lambda: srgan.srresnet_model(
            blocks, args.scale, filters, lr, args.epochs * steps, skip, args.seed))

    def build_srgan(trained):
        return lab.runtime().build(lambda: srgan.srgan_model(
            trained, hr_size, args.d_filters or (16 if quick else 64), args.dense or (128 if quick else 1024),
            args.gan_lr, args.d_lr, gan_epochs * steps, args.content, args.adversarial_weight,
            args.vgg_weights, args.seed))

    paper = "; the paper's SRGAN is --content vgg54 (VGG19 ImageNet weights)"
    print(f"content loss: {args.content} ({variant}, Ledig 2017 Table 2)"
          + (paper if args.content == "mse" else ""))
    if args.content != "mse":
        from ganlab.nets.srgan import vgg19_weights_path

        vgg19_weights_path(args.vgg_weights)  # missing weights: one line, before any training
    with lab.run_folder(args, "09_srgan") as run:
        run.write_config(vars(args), variant=variant, hr_size=hr_size, blocks=blocks, filters=filters,
                         bicubic_skip=skip, steps_per_epoch=steps, gan_epochs=gan_epochs, lr=lr)
        metrics = srgan.train_srgan(run, build_srresnet, build_srgan, hr_size, args.scale, args.epochs,
                                    gan_epochs, steps, args.batch_size, args.seed, args.data,
                                    args.test_folder)
        metrics["variant"] = variant
        if args.scale == grader.SCALE and args.data == "photos":
            metrics["grade"] = grader.grade_lab09(run.path)
        run.write_metrics(metrics)
    print(f"run folder: {run.final}")
    for name in ("bicubic", "srresnet", "srgan"):
        m = metrics[name]
        print(f"{name:8s} held-out PSNR {m['psnr']:.2f} dB  SSIM {m['ssim']:.4f}  "
              f"hf energy {m['hf_energy']:.3f} (HR: 1)")
    if "folder" in metrics:
        f = metrics["folder"]
        print(f"{f['folder']} ({f['images']} images): " + ", ".join(
            f"{k} {f[k]['psnr']:.2f} dB / {f[k]['ssim']:.4f}" for k in ("bicubic", "srresnet", "srgan")))
    if "grade" not in metrics:
        print(f"no grading bar for --scale {args.scale} --data {args.data} "
              "(the bar is calibrated at x4 on the photos)")
        return
    print(grading.verdict_line(metrics["grade"]))


if __name__ == "__main__":
    p = lab.parser(__doc__, default_epochs=1000, quick_epochs=6)
    p.add_argument("--scale", type=int, default=4, choices=(2, 4, 8), help="upscaling factor (4)")
    p.add_argument("--data", default="photos", choices=("photos", "div2k"),
                   help="training HR images: photos (embedded) or div2k (TFDS div2k/bicubic_x4, online once)")
    p.add_argument("--test-folder", default=None,
                   help="also report PSNR/SSIM on a folder of HR images (Set5, Set14, BSD100)")
    p.add_argument("--content", default="mse", choices=tuple(srgan.VARIANTS),
                   help="stage 2's content loss: mse (default, SRGAN-MSE), vgg22 or vgg54 (SRGAN)")
    p.add_argument("--vgg-weights", default=None,
                   help="path of vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 (default: Keras cache)")
    p.add_argument("--hr-size", type=int, default=None, help="HR crop side (64 quick, 96 full)")
    p.add_argument("--blocks", type=int, default=None, help="residual blocks (4 quick, 16 full)")
    p.add_argument("--filters", type=int, default=None, help="G's width (32 quick, 64 full)")
    p.add_argument("--bicubic-skip", default=None, choices=("on", "off"),
                   help="add the bicubic upsampling to G's output (on with --quick, off otherwise)")
    p.add_argument("--d-filters", type=int, default=None, help="D's first filters (16 quick, 64 full)")
    p.add_argument("--dense", type=int, default=None, help="D's dense units (128 quick, 1024 full)")
    p.add_argument("--steps", type=int, default=None, help="steps per epoch (100 quick, 1000 full)")
    p.add_argument("--gan-epochs", type=int, default=None, help="stage 2 epochs (2 quick, 100 full)")
    p.add_argument("--batch-size", type=int, default=16, help="minibatch size (16, the paper's)")
    p.add_argument("--lr", type=float, default=None, help="stage 1 Adam rate (1e-3 quick, 1e-4 full)")
    p.add_argument("--gan-lr", type=float, default=1e-4, help="stage 2 G's Adam rate (1e-4)")
    p.add_argument("--d-lr", type=float, default=None, help="stage 2 D's Adam rate (default: --gan-lr)")
    p.add_argument("--adversarial-weight", type=float, default=1e-3, help="weight of l_Gen (1e-3)")
    lab.run(main, p)
