"""The model family, written for ONNX export (attention by hand, GroupNorm exported as InstanceNorm):
an autoencoder with 4-channel latents at 1/4 resolution, a small CLIP-style text encoder, and a cross-attention
UNet on SD's scaled-linear schedule."""
import math

import torch
from torch import nn
import torch.nn.functional as F


def norm(channels):
    return nn.GroupNorm(8, channels)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb=None):
        super().__init__()
        self.norm1, self.conv1 = norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2, self.conv2 = norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.temb = nn.Linear(temb, cout) if temb else None
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, t=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.temb is not None:
            h = h + self.temb(F.silu(t))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


# ---- autoencoder ---------------------------------------------------------------------------------------------

class Encoder(nn.Module):
    """64×64×3 → 16×16×8 (mean ‖ logvar). Narrow at full resolution, where convolutions cost most."""

    def __init__(self):
        super().__init__()
        self.conv_in = nn.Conv2d(3, 24, 3, padding=1)
        self.blocks = nn.ModuleList([ResBlock(24, 24), ResBlock(48, 48), ResBlock(64, 64)])
        self.downs = nn.ModuleList([nn.Conv2d(24, 48, 3, stride=2, padding=1), nn.Conv2d(48, 64, 3, stride=2, padding=1)])
        self.norm_out, self.conv_out = norm(64), nn.Conv2d(64, 8, 3, padding=1)

    def forward(self, x):
        h = self.blocks[0](self.conv_in(x))
        h = self.blocks[1](self.downs[0](h))
        h = self.blocks[2](self.downs[1](h))
        return self.conv_out(F.silu(self.norm_out(h)))


class Decoder(nn.Module):
    """16×16×4 → 64×64×3 in about −1..1."""

    def __init__(self):
        super().__init__()
        self.conv_in = nn.Conv2d(4, 64, 3, padding=1)
        self.blocks = nn.ModuleList([ResBlock(64, 64), ResBlock(64, 64), ResBlock(48, 48), ResBlock(24, 24)])
        self.ups = nn.ModuleList([nn.Conv2d(64, 48, 3, padding=1), nn.Conv2d(48, 24, 3, padding=1)])
        self.norm_out, self.conv_out = norm(24), nn.Conv2d(24, 3, 3, padding=1)

    def forward(self, z):
        h = self.blocks[1](self.blocks[0](self.conv_in(z)))
        h = self.blocks[2](self.ups[0](F.interpolate(h, scale_factor=2.0, mode="nearest")))
        h = self.blocks[3](self.ups[1](F.interpolate(h, scale_factor=2.0, mode="nearest")))
        return self.conv_out(F.silu(self.norm_out(h)))


class Autoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder, self.decoder = Encoder(), Decoder()

    def encode(self, x):
        moments = self.encoder(x)
        return moments[:, :4], moments[:, 4:].clamp(-30, 20)


# ---- text encoder ----------------------------------------------------------------------------------------------

class Attention(nn.Module):
    def __init__(self, dim, context_dim=None, heads=4):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(context_dim or dim, dim, bias=False)
        self.v = nn.Linear(context_dim or dim, dim, bias=False)
        self.out = nn.Linear(dim, dim)

    def forward(self, x, context=None, mask=None):
        context = x if context is None else context
        b, n, d = x.shape
        h = self.heads
        q = self.q(x).reshape(b, n, h, d // h).transpose(1, 2)
        k = self.k(context).reshape(b, context.shape[1], h, d // h).transpose(1, 2)
        v = self.v(context).reshape(b, context.shape[1], h, d // h).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(d // h))
        if mask is not None:
            scores = scores + mask
        out = torch.matmul(scores.softmax(dim=-1), v).transpose(1, 2).reshape(b, n, d)
        return self.out(out)


class TextEncoder(nn.Module):
    """CLIP-style: token + position embeddings, pre-LN causal transformer layers, final LayerNorm."""

    def __init__(self, vocab_size, dim=128, layers=2, length=77):
        super().__init__()
        self.token = nn.Embedding(vocab_size, dim)
        self.position = nn.Parameter(torch.zeros(length, dim))
        self.layers = nn.ModuleList(
            nn.ModuleDict({"ln1": nn.LayerNorm(dim), "attn": Attention(dim), "ln2": nn.LayerNorm(dim), "mlp": nn.Sequential(nn.Linear(dim, dim * 4), nn.GELU(), nn.Linear(dim * 4, dim))})
            for _ in range(layers)
        )
        self.final = nn.LayerNorm(dim)
        self.register_buffer("causal", torch.full((length, length), float("-inf")).triu(1), persistent=False)

    def forward(self, ids):
        x = self.token(ids) + self.position[: ids.shape[1]]
        mask = self.causal[: ids.shape[1], : ids.shape[1]]
        for layer in self.layers:
            x = x + layer["attn"](layer["ln1"](x), mask=mask)
            x = x + layer["mlp"](layer["ln2"](x))
        return self.final(x)


# ---- UNet ------------------------------------------------------------------------------------------------------

class SpatialTransformer(nn.Module):
    def __init__(self, channels, context_dim):
        super().__init__()
        self.norm = norm(channels)
        self.proj_in = nn.Conv2d(channels, channels, 1)
        self.ln1, self.self_attn = nn.LayerNorm(channels), Attention(channels)
        self.ln2, self.cross_attn = nn.LayerNorm(channels), Attention(channels, context_dim)
        self.ln3 = nn.LayerNorm(channels)
        self.mlp = nn.Sequential(nn.Linear(channels, channels * 4), nn.GELU(), nn.Linear(channels * 4, channels))
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x, context):
        b, c, hh, ww = x.shape
        h = self.proj_in(self.norm(x)).reshape(b, c, hh * ww).transpose(1, 2)
        h = h + self.self_attn(self.ln1(h))
        h = h + self.cross_attn(self.ln2(h), context)
        h = h + self.mlp(self.ln3(h))
        return x + self.proj_out(h.transpose(1, 2).reshape(b, c, hh, ww))


def timestep_embedding(t, dim):
    half = dim // 2
    frequencies = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * frequencies[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class UNet(nn.Module):
    """Channels (64, 96, 128) at 16², 8², 4²; spatial transformers (self-, cross-attention, MLP) at 8², 4², middle."""

    def __init__(self, context_dim=128, channels=(64, 96, 128), temb=256):
        super().__init__()
        c0, c1, c2 = channels
        self.temb_dim = c0
        self.time = nn.Sequential(nn.Linear(c0, temb), nn.SiLU(), nn.Linear(temb, temb))
        self.conv_in = nn.Conv2d(4, c0, 3, padding=1)
        self.down0 = ResBlock(c0, c0, temb)
        self.pool0 = nn.Conv2d(c0, c0, 3, stride=2, padding=1)
        self.down1, self.attn1 = ResBlock(c0, c1, temb), SpatialTransformer(c1, context_dim)
        self.pool1 = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2, self.attn2 = ResBlock(c1, c2, temb), SpatialTransformer(c2, context_dim)
        self.mid1, self.mid_attn, self.mid2 = ResBlock(c2, c2, temb), SpatialTransformer(c2, context_dim), ResBlock(c2, c2, temb)
        self.up2, self.up_attn2 = ResBlock(c2 + c2, c2, temb), SpatialTransformer(c2, context_dim)
        self.unpool2 = nn.Conv2d(c2, c2, 3, padding=1)
        self.up1, self.up_attn1 = ResBlock(c2 + c1, c1, temb), SpatialTransformer(c1, context_dim)
        self.unpool1 = nn.Conv2d(c1, c1, 3, padding=1)
        self.up0 = ResBlock(c1 + c0, c0, temb)
        self.norm_out, self.conv_out = norm(c0), nn.Conv2d(c0, 4, 3, padding=1)

    def forward(self, sample, timestep, context, residuals=None):
        """`residuals`: a ControlNet's (down_0, down_1, down_2, mid), added where diffusers adds them: to each skip
        connection as the up path takes it, and to the middle block's output."""
        d0, d1, d2, mid = residuals if residuals is not None else (0, 0, 0, 0)
        t = self.time(timestep_embedding(timestep.reshape(-1).expand(sample.shape[0]), self.temb_dim))
        h0 = self.down0(self.conv_in(sample), t)
        h1 = self.attn1(self.down1(self.pool0(h0), t), context)
        h2 = self.attn2(self.down2(self.pool1(h1), t), context)
        h = self.mid2(self.mid_attn(self.mid1(h2, t), context), t) + mid
        h = self.up_attn2(self.up2(torch.cat([h, h2 + d2], 1), t), context)
        h = self.unpool2(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        h = self.up_attn1(self.up1(torch.cat([h, h1 + d1], 1), t), context)
        h = self.unpool1(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        h = self.up0(torch.cat([h, h0 + d0], 1), t)
        return self.conv_out(F.silu(self.norm_out(h)))


class EMA:
    def __init__(self, module, decay=0.999):
        self.decay = decay
        self.shadow = {k: v.detach().clone().float() for k, v in module.state_dict().items()}

    @torch.no_grad()
    def update(self, module):
        current = module.state_dict()
        keys = [k for k, v in current.items() if v.dtype.is_floating_point]
        shadows = [self.shadow[k] for k in keys]
        torch._foreach_mul_(shadows, self.decay)
        torch._foreach_add_(shadows, [current[k].detach().float() for k in keys], alpha=1 - self.decay)
        for k, v in current.items():
            if not v.dtype.is_floating_point:
                self.shadow[k].copy_(v)
