"""A 4× upscaler for the embedded model's 64² images (ESPCN-style, as small as a CPU can train in minutes): residual
3×3 blocks at the input's resolution, one sub-pixel convolution to 16 RGB phases, and PixelShuffle(4); the result is
added to a bilinear upscale so the network learns only the detail bilinear misses. RGB in 0..1 → 0..1, any size."""
import torch
import torch.nn as nn
import torch.nn.functional as F

SCALE = 4


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(width, width, 3, padding=1), nn.Conv2d(width, width, 3, padding=1)

    def forward(self, x):
        return x + self.conv2(F.leaky_relu(self.conv1(x), 0.1))


class Upscaler(nn.Module):
    def __init__(self, width=32, blocks=4):
        super().__init__()
        self.head = nn.Conv2d(3, width, 3, padding=1)
        self.body = nn.Sequential(*[Block(width) for _ in range(blocks)])
        self.tail = nn.Conv2d(width, 3 * SCALE * SCALE, 3, padding=1)
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)

    def forward(self, image):
        base = F.interpolate(image, scale_factor=float(SCALE), mode="bilinear", align_corners=False)
        features = self.head(image)
        detail = F.pixel_shuffle(self.tail(self.body(features) + features), SCALE)
        return (base + detail).clamp(0, 1)
