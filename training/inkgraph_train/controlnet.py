"""A ControlNet for the embedded UNet (Zhang et al. 2023, as diffusers' ControlNetModel): a trainable copy of the
UNet's down path and middle block, a small encoder that brings the 64² hint to the latent's 16², and zero-initialised
1×1 convolutions that give one residual per skip connection and one for the middle block. The UNet stays frozen."""
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F

from .models import UNet, timestep_embedding

COPIED = ("time", "conv_in", "down0", "pool0", "down1", "attn1", "pool1", "down2", "attn2", "mid1", "mid_attn", "mid2")


def zero_conv(channels):
    conv = nn.Conv2d(channels, channels, 1)
    nn.init.zeros_(conv.weight)
    nn.init.zeros_(conv.bias)
    return conv


class HintEncoder(nn.Module):
    """64² RGB hint → the first feature width at 16² (diffusers' ControlNetConditioningEmbedding, two stride-2 steps)."""

    def __init__(self, out_channels, widths=(16, 32, 64)):
        super().__init__()
        layers = [nn.Conv2d(3, widths[0], 3, padding=1), nn.SiLU()]
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [nn.Conv2d(a, a, 3, padding=1), nn.SiLU(), nn.Conv2d(a, b, 3, stride=2, padding=1), nn.SiLU()]
        self.body = nn.Sequential(*layers)
        self.out = nn.Conv2d(widths[-1], out_channels, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, hint):
        return self.out(self.body(hint))


class ControlNet(nn.Module):
    def __init__(self, unet: UNet):
        super().__init__()
        for name in COPIED:
            setattr(self, name, copy.deepcopy(getattr(unet, name)))
        self.temb_dim = unet.temb_dim
        c0, c1, c2 = unet.conv_in.out_channels, unet.down1.conv2.out_channels, unet.down2.conv2.out_channels
        self.hint = HintEncoder(c0)
        self.zero0, self.zero1, self.zero2, self.zero_mid = zero_conv(c0), zero_conv(c1), zero_conv(c2), zero_conv(c2)

    def forward(self, sample, timestep, context, hint):
        t = self.time(timestep_embedding(timestep.reshape(-1).expand(sample.shape[0]), self.temb_dim))
        h0 = self.down0(self.conv_in(sample) + self.hint(hint), t)
        h1 = self.attn1(self.down1(self.pool0(h0), t), context)
        h2 = self.attn2(self.down2(self.pool1(h1), t), context)
        mid = self.mid2(self.mid_attn(self.mid1(h2, t), context), t)
        return self.zero0(h0), self.zero1(h1), self.zero2(h2), self.zero_mid(mid)


class ControlNetExport(nn.Module):
    """The ONNX signature Inkgraph's ControlNet loader reads (diffusers' names): sample, timestep,
    encoder_hidden_states, controlnet_cond → down_block_0…2, mid_block_res_sample."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, sample, timestep, encoder_hidden_states, controlnet_cond):
        return self.net(sample, timestep, encoder_hidden_states, controlnet_cond)


def mask_hint(masks):
    """B×H×W masks in 0..1 → the RGB hint (white where the object goes, black elsewhere), as ComfyUI's MaskToImage."""
    hard = (masks > 0.5).float()
    return hard[:, None].expand(-1, 3, -1, -1).contiguous()


def residual_inputs_onnx(path_in, path_out):
    """The shipped UNet made ControlNet-ready without re-exporting it: four graph inputs (down_block_0…2,
    mid_block_additional_residual) added by Add nodes where the torch UNet adds them. With zeros it computes exactly
    what it did (x + 0 = x), and every weight and node name stays as it was (LoRA keys find the same weights)."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(path_in)
    graph = model.graph
    if any(i.name == "mid_block_additional_residual" for i in graph.input):
        raise SystemExit(f"{path_in} already has residual inputs")
    producers = {out: node for node in graph.node for out in node.output}
    concats = [n for n in graph.node if n.op_type == "Concat" and len(n.input) == 2 and all(i in producers for i in n.input)]
    # The up path's three concatenations, in order: [mid, h2], [up, h1], [up, h0].
    by_skip = {}
    for node in concats:
        skip = producers[node.input[1]].name
        for key, prefix in (("2", "/attn2/"), ("1", "/attn1/"), ("0", "/down0/")):
            if skip.startswith(prefix):
                by_skip[key] = node
    if sorted(by_skip) != ["0", "1", "2"]:
        raise SystemExit(f"{path_in}: could not find the UNet's three skip concatenations (found {sorted(by_skip)})")
    channels = {"0": 64, "1": 96, "2": 128}
    added = []

    def add_input(name, c, height, width):
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch_size", c, height, width]))

    for key in ("0", "1", "2"):
        node = by_skip[key]
        name = f"down_block_{key}"
        add_input(name, channels[key], f"residual_{key}_height", f"residual_{key}_width")
        summed = f"/controlnet/skip{key}_output_0"
        added.append(helper.make_node("Add", [node.input[1], name], [summed], name=f"/controlnet/skip{key}/Add"))
        node.input[1] = summed
    node = by_skip["2"]
    add_input("mid_block_additional_residual", 128, "residual_2_height", "residual_2_width")
    summed = "/controlnet/mid_output_0"
    added.append(helper.make_node("Add", [node.input[0], "mid_block_additional_residual"], [summed], name="/controlnet/mid/Add"))
    node.input[0] = summed
    # Insert each Add just before the node that now reads it, keeping the graph topologically sorted.
    nodes = list(graph.node)
    for add in added:
        reader = next(i for i, n in enumerate(nodes) if add.output[0] in n.input)
        nodes.insert(reader, add)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, path_out)
