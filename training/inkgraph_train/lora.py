"""LoRA (Hu et al. 2021) on the embedded model's linear layers, and on conv layers as LoCon does, saved as a
kohya-format safetensors file: per layer `lora_unet_<module>` / `lora_te_<module>` (the torch module path with its
dots as underscores, as the ONNX export's node names give it) with `.lora_down.weight` [rank, in] (a conv's
[rank, in, kh, kw], the layer's own kernel), `.lora_up.weight` [out, rank] (a conv's [out, rank, 1, 1]) and `.alpha`."""
import json
import struct

import numpy as np
import torch
import torch.nn as nn


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base, self.rank, self.alpha = base, rank, alpha
        self.down = nn.Parameter(torch.empty(rank, base.in_features))
        self.up = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.down, a=5 ** 0.5)
        self.strength = 1.0

    def forward(self, x):
        return self.base(x) + (x @ self.down.t() @ self.up.t()) * (self.alpha / self.rank * self.strength)


class LoRAConv2d(nn.Module):
    """LoCon: the down projection is a conv with the layer's kernel, stride and padding, the up one a 1×1 conv."""

    def __init__(self, base: nn.Conv2d, rank: int, alpha: float):
        super().__init__()
        self.base, self.rank, self.alpha = base, rank, alpha
        self.down = nn.Parameter(torch.empty(rank, base.in_channels, *base.kernel_size))
        self.up = nn.Parameter(torch.zeros(base.out_channels, rank, 1, 1))
        nn.init.kaiming_uniform_(self.down, a=5 ** 0.5)
        self.strength = 1.0

    def forward(self, x):
        low = nn.functional.conv2d(x, self.down, stride=self.base.stride, padding=self.base.padding)
        return self.base(x) + nn.functional.conv2d(low, self.up) * (self.alpha / self.rank * self.strength)


def inject(model: nn.Module, prefix: str, wanted, rank: int, alpha: float, convolutions=None):
    """Wraps each nn.Linear whose module path `wanted(path)` accepts, and each nn.Conv2d `convolutions(path)` accepts;
    returns {key prefix: LoRALinear | LoRAConv2d}."""
    layers = {}
    for path, module in list(model.named_modules()):
        for name, child in list(module.named_children()):
            full = f"{path}.{name}" if path else name
            conv = convolutions is not None and isinstance(child, nn.Conv2d) and child.groups == 1 and convolutions(full)
            if conv or (isinstance(child, nn.Linear) and wanted(full)):
                wrapped = (LoRAConv2d if conv else LoRALinear)(child, rank, alpha)
                setattr(module, name, wrapped)
                layers[f"{prefix}{full.replace('.', '_')}"] = wrapped
    return layers


def set_strength(layers, strength):
    for layer in layers.values():
        layer.strength = strength


def state_of(layers):
    return {key: {"down": layer.down.detach().clone(), "up": layer.up.detach().clone(), "alpha": layer.alpha} for key, layer in layers.items()}


def load_state(layers, state):
    with torch.no_grad():
        for key, layer in layers.items():
            layer.down.copy_(state[key]["down"].float())
            layer.up.copy_(state[key]["up"].float())


def save_safetensors(path, layers, metadata):
    """kohya's layout in fp16, written directly (the format is an 8-byte header length, a JSON header, the data)."""
    tensors = {}
    for key, layer in sorted(layers.items()):
        tensors[f"{key}.lora_down.weight"] = layer.down.detach().half().numpy()
        tensors[f"{key}.lora_up.weight"] = layer.up.detach().half().numpy()
        tensors[f"{key}.alpha"] = np.array(layer.alpha, dtype=np.float16)
    header, offset, blobs = {"__metadata__": {k: str(v) for k, v in metadata.items()}}, 0, []
    for key, value in tensors.items():
        data = np.ascontiguousarray(value).tobytes()
        header[key] = {"dtype": "F16", "shape": list(value.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(encoded)))
        out.write(encoded)
        for blob in blobs:
            out.write(blob)
