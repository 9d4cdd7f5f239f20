"""Node names that say which module a weight belongs to. torch 1.13's exporter names a module reached through a
ModuleDict inside a ModuleList without the list's index (`/encoder/attn/q_1/MatMul` for layers.1.attn.q), so a
LoRA could not find it; each MatMul/Gemm whose weight is a named Linear's is renamed from the weights themselves."""
import numpy as np
import onnx
from onnx import numpy_helper
import torch.nn as nn


def torch_scope(root: nn.Module, path: str, prefix: str):
    """The scope torch gives a module where it names it right: a ModuleList or ModuleDict child joins its index to
    the list's name (`layers.1`), a called container's child repeats the container's (`mlp/mlp.0`)."""
    scopes, module, names = [prefix], root, path.split(".")
    i = 0
    while i < len(names):
        child = getattr(module, names[i]) if not isinstance(module, (nn.ModuleList, nn.ModuleDict)) else module[names[i] if isinstance(module, nn.ModuleDict) else int(names[i])]
        if isinstance(child, (nn.ModuleList, nn.ModuleDict)) and i + 1 < len(names):
            grandchild = child[names[i + 1]] if isinstance(child, nn.ModuleDict) else child[int(names[i + 1])]
            scopes.append(f"{names[i]}.{names[i + 1]}")
            module, i = grandchild, i + 2
            continue
        if isinstance(module, nn.Sequential):
            scopes.append(f"{scopes[-1]}.{names[i]}")
        else:
            scopes.append(names[i])
        module, i = child, i + 1
    return "/" + "/".join(scopes)


def name_linear_nodes(path, module: nn.Module, prefix: str):
    model = onnx.load(path)
    initializers = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    linears = {name: m.weight.detach().numpy() for name, m in module.named_modules() if isinstance(m, nn.Linear)}
    renamed = 0
    for node in model.graph.node:
        if node.op_type not in ("MatMul", "Gemm") or len(node.input) < 2 or node.input[1] not in initializers:
            continue
        weight = initializers[node.input[1]]
        matches = [name for name, w in linears.items() if w.shape == weight.T.shape and np.array_equal(w, weight.T)]
        if node.op_type == "Gemm":
            matches += [name for name, w in linears.items() if w.shape == weight.shape and np.array_equal(w, weight)]
        if len(matches) != 1:
            continue
        scope = torch_scope(module, matches[0], prefix)
        node.name = f"{scope}/{node.op_type}"
        renamed += 1
    onnx.save(model, path)
    return renamed
