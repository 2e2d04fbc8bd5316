"""visionext: a small ViT backbone with fused CUDA kernels."""

from visionext.model import HAS_EXT, HAS_FLASH_ATTN, VisionTransformer

__all__ = ["VisionTransformer", "HAS_EXT", "HAS_FLASH_ATTN"]
__version__ = "0.3.0"
