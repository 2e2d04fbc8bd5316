"""ViT-style image classifier built on the visionext fused kernels.

Every fused op has an eager PyTorch fallback, so the model also runs on CPU
and on machines where the extension has not been built.
"""

import math
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from visionext.jit_ops import scale_clamp
from visionext.triton_kernels import layerscale_residual

try:
    from visionext import _C

    HAS_EXT = True
except ImportError:  # extension not built (e.g. docs or CPU-only CI)
    _C = None
    HAS_EXT = False

try:
    from flash_attn import flash_attn_func

    HAS_FLASH_ATTN = True
except ImportError:
    flash_attn_func = None
    HAS_FLASH_ATTN = False


class _BiasGeluFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, bias):
        x = x.contiguous()
        ctx.save_for_backward(x, bias)
        return _C.bias_gelu_forward(x, bias)

    @staticmethod
    def backward(ctx, grad_out):
        x, bias = ctx.saved_tensors
        grad_x, grad_bias = _C.bias_gelu_backward(grad_out.contiguous(), x, bias)
        return grad_x, grad_bias


def bias_gelu(x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    # Under autocast x arrives in fp16 while the bias parameter stays fp32.
    bias = bias.to(x.dtype)
    if HAS_EXT and x.is_cuda:
        return _BiasGeluFunction.apply(x, bias)
    return F.gelu(x + bias, approximate="tanh")


def build_cu_seqlens(lengths: torch.Tensor) -> torch.Tensor:
    """Offsets for packing variable-length token sequences back to back.

    Returns int32 ``[0, l0, l0 + l1, ...]`` on the same device as ``lengths``.
    Nothing here needs the host, so no torch.cuda.synchronize() is required.
    """
    x = lengths.to(torch.int64)
    cumsum = x.cumsum(0)
    cu_seqlens = F.pad(cumsum, (1, 0))
    return cu_seqlens.to(torch.int32)


def masked_mean_pool(tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Mean over the first ``lengths[b]`` tokens of each sample (tokens: [B, S, D])."""
    positions = torch.arange(tokens.shape[1], device=tokens.device)
    keep = positions[None, :] < lengths[:, None]
    summed = (tokens * keep[..., None]).sum(dim=1)
    return summed / lengths.clamp(min=1)[:, None].to(tokens.dtype)


class FusedLayerNorm(nn.LayerNorm):
    """nn.LayerNorm that uses the CUDA kernel when no gradient is needed."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if HAS_EXT and x.is_cuda and not torch.is_grad_enabled():
            y, _, _ = _C.layernorm_forward(
                x.contiguous(), self.weight.to(x.dtype), self.bias.to(x.dtype), self.eps
            )
            return y
        return super().forward(x)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int, attn_drop: float = 0.0):
        super().__init__()
        assert dim % heads == 0
        self.heads = heads
        self.head_dim = dim // heads
        self.scale = self.head_dim ** -0.5
        self.attn_drop = attn_drop
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, S, D = x.shape
        qkv = self.qkv(x).view(B, S, 3, self.heads, self.head_dim)
        dropout = self.attn_drop if self.training else 0.0

        if HAS_FLASH_ATTN and x.is_cuda and qkv.dtype in (torch.float16, torch.bfloat16):
            q, k, v = qkv.unbind(dim=2)  # each [B, S, H, Dh]
            out = flash_attn_func(q, k, v, dropout_p=dropout, softmax_scale=self.scale)
            out = out.reshape(B, S, D)
        elif HAS_EXT and x.is_cuda and not torch.is_grad_enabled():
            q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each [B, H, S, Dh]
            scores = torch.matmul(q, k.transpose(-2, -1)).contiguous()
            probs = _C.scaled_masked_softmax(scores, None, self.scale)
            out = torch.matmul(probs, v).transpose(1, 2).reshape(B, S, D)
        else:
            q, k, v = qkv.permute(2, 0, 3, 1, 4)
            out = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout, scale=self.scale)
            out = out.transpose(1, 2).reshape(B, S, D)
        return self.proj(out)


class FusedMLP(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden, bias=False)
        self.fc1_bias = nn.Parameter(torch.zeros(hidden))
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(bias_gelu(self.fc1(x), self.fc1_bias))


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float, init_values: float = 1e-4):
        super().__init__()
        self.norm1 = FusedLayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = FusedLayerNorm(dim, eps=1e-6)
        self.mlp = FusedMLP(dim, int(dim * mlp_ratio))
        self.gamma1 = nn.Parameter(init_values * torch.ones(dim))
        self.gamma2 = nn.Parameter(init_values * torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = layerscale_residual(x, self.attn(self.norm1(x)), self.gamma1)
        x = layerscale_residual(x, self.mlp(self.norm2(x)), self.gamma2)
        return x


class VisionTransformer(nn.Module):
    def __init__(
        self,
        image_size: int = 224,
        patch_size: int = 16,
        dim: int = 384,
        depth: int = 12,
        heads: int = 6,
        mlp_ratio: float = 4.0,
        num_classes: int = 1000,
        logit_limit: float = 30.0,
    ):
        super().__init__()
        num_patches = (image_size // patch_size) ** 2
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, dim))
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_ratio) for _ in range(depth))
        self.norm = FusedLayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_classes)
        self.logit_limit = logit_limit
        self._init_weights()

    def _init_weights(self):
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        fan_in = self.patch_embed.in_channels * math.prod(self.patch_embed.kernel_size)
        nn.init.trunc_normal_(self.patch_embed.weight, std=math.sqrt(1.0 / fan_in))

    def forward_features(self, images: torch.Tensor, lengths: Optional[torch.Tensor] = None):
        x = self.patch_embed(images).flatten(2).transpose(1, 2)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        if lengths is not None:  # token-dropping experiments: pool over kept tokens
            return masked_mean_pool(x, lengths)
        return x[:, 0]

    def forward(self, images: torch.Tensor, lengths: Optional[torch.Tensor] = None):
        logits = self.head(self.forward_features(images, lengths))
        if not self.training:
            logits = scale_clamp(logits.float(), 1.0, self.logit_limit)
        return logits
