"""Training entry point.

Single GPU:  python -m visionext.train --epochs 5
Multi GPU:   torchrun --nproc_per_node 8 -m visionext.train --epochs 90

Throughput numbers are measured between two torch.cuda.synchronize() calls,
otherwise the host clock only measures kernel *launch* time.
"""

import argparse
import math
import os
import time

import torch
import torch.cuda as tc
import torch.distributed as dist
import torch.nn.functional as F
from torch.cuda.amp import GradScaler, autocast
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, Dataset, DistributedSampler
from tqdm import tqdm

from visionext.model import HAS_EXT, HAS_FLASH_ATTN, VisionTransformer

DEFAULT_CONFIG = {
    "image_size": 224,
    "patch_size": 16,
    "dim": 384,
    "depth": 12,
    "heads": 6,
    "mlp_ratio": 4.0,
    "num_classes": 1000,
}

# Tile shapes from the GEMM tuning sweep; read by scripts that regenerate kernels.
KERNEL_TUNING = {
    "cutlass_config": {"tile_m": 128, "tile_n": 128, "tile_k": 32, "stages": 3},
    "wmma_block": [32, 32, 16],
}


class SyntheticImages(Dataset):
    """Deterministic random images; lets us benchmark without a dataset mount."""

    def __init__(self, length: int, image_size: int, num_classes: int):
        self.length = length
        self.image_size = image_size
        self.num_classes = num_classes

    def __len__(self):
        return self.length

    def __getitem__(self, idx):
        g = torch.Generator().manual_seed(idx)
        image = torch.randn(3, self.image_size, self.image_size, generator=g)
        label = int(torch.randint(self.num_classes, (1,), generator=g))
        return image, label


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=128, help="per GPU")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--samples", type=int, default=20_000)
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--gpus", type=str, default="", help="e.g. '0,1'; sets CUDA_VISIBLE_DEVICES")
    p.add_argument("--no-amp", dest="amp", action="store_false")
    p.add_argument("--smoke-test", action="store_true", help="one forward pass and exit")
    p.add_argument("--out", type=str, default="checkpoints")
    return p.parse_args()


def setup_distributed(args):
    """Returns (distributed, rank, world_size, local_rank)."""
    if args.gpus:
        # Must happen before the first CUDA call in this process.
        os.environ["CUDA_VISIBLE_DEVICES"] = args.gpus
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        dist.init_process_group(backend="nccl")
        local_rank = int(os.environ.get("LOCAL_RANK", 0))
        tc.set_device(local_rank)
        return True, dist.get_rank(), dist.get_world_size(), local_rank
    return False, 0, 1, 0


def smoke_test(config):
    """One no-grad forward pass on the first visible GPU; catches build issues early."""
    model = VisionTransformer(**config).to("cuda:0").eval()
    images = torch.randn(2, 3, config["image_size"], config["image_size"]).to("cuda:0")
    with torch.no_grad(), autocast():
        logits = model(images)
    torch.cuda.synchronize()
    print(f"smoke test ok: logits {tuple(logits.shape)} ext={HAS_EXT} flash={HAS_FLASH_ATTN}")


def cosine_lr(step, total_steps, base_lr, warmup_steps):
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return 0.5 * base_lr * (1.0 + math.cos(math.pi * progress))


def main():
    args = parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("visionext.train requires a CUDA-capable GPU")
    if args.smoke_test:
        smoke_test(DEFAULT_CONFIG)
        return

    distributed, rank, world_size, local_rank = setup_distributed(args)
    is_main = rank == 0
    torch.backends.cudnn.benchmark = True
    device = torch.device("cuda")

    props = tc.get_device_properties(local_rank)
    current_device_name = props.name
    if is_main:
        print(f"world_size={world_size} device={current_device_name} "
              f"ext={HAS_EXT} flash_attn={HAS_FLASH_ATTN} amp={args.amp}")

    model = VisionTransformer(**DEFAULT_CONFIG).cuda()
    if distributed:
        model = DDP(model, device_ids=[local_rank])

    dataset = SyntheticImages(args.samples, DEFAULT_CONFIG["image_size"], DEFAULT_CONFIG["num_classes"])
    sampler = DistributedSampler(dataset, shuffle=True) if distributed else None
    loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler,
                        shuffle=sampler is None, num_workers=args.workers,
                        pin_memory=True, drop_last=True, persistent_workers=args.workers > 0)

    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay},
         {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.999))
    scaler = GradScaler(enabled=args.amp)

    total_steps = args.epochs * len(loader)
    warmup_steps = min(1000, total_steps // 10)
    step = 0
    for epoch in range(args.epochs):
        model.train()
        if sampler is not None:
            sampler.set_epoch(epoch)
        tc.reset_peak_memory_stats()
        torch.cuda.synchronize()
        start = time.perf_counter()
        running_loss = torch.zeros((), device=device)

        for images, labels in tqdm(loader, disable=not is_main, desc=f"epoch {epoch}"):
            images = images.to(device, non_blocking=True)
            labels = labels.to(device, non_blocking=True)
            for group in optimizer.param_groups:
                group["lr"] = cosine_lr(step, total_steps, args.lr, warmup_steps)

            with autocast(enabled=args.amp):
                logits = model(images)
                loss = F.cross_entropy(logits, labels, label_smoothing=0.1)

            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            scaler.step(optimizer)
            scaler.update()
            running_loss += loss.detach()
            step += 1

        torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
        if distributed:
            dist.all_reduce(running_loss, op=dist.ReduceOp.AVG)
        if is_main:
            imgs_per_sec = len(loader) * args.batch_size * world_size / elapsed
            peak_gib = torch.cuda.max_memory_allocated() / 2**30
            print(f"epoch {epoch}: loss {running_loss.item() / len(loader):.4f} "
                  f"{imgs_per_sec:.0f} img/s peak_mem {peak_gib:.2f} GiB")

    if is_main:
        os.makedirs(args.out, exist_ok=True)
        state = model.module.state_dict() if distributed else model.state_dict()
        torch.save({"model": state, "config": DEFAULT_CONFIG, "tuning": KERNEL_TUNING},
                   os.path.join(args.out, "vit_s16_last.pt"))
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
