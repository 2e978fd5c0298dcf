"""The benchmark's tables (the layers, a training step), its goals and its JSON file."""
import json

HEADER = ("cell   dtype    (B, T, D, H, L)        |  fwd ms  x book  x gemm x torch |  f+b ms  x book  x gemm "
          "x torch | peak MiB  act MiB  peak/act")


def ratio(ms, name, mode):
    """``fast / name`` for one mode, or None where ``name`` was not timed."""
    times = ms[mode]
    return times["fast"] / times[name] if name in times else None


def _cell(value, width=7, digits=2):
    return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def format_row(r):
    """One line of the table for one result."""
    config = "(" + ", ".join(map(str, r["config"])) + ")"
    parts = [f"{r['kind']:<6} {r['dtype']:<8} {config:<22}"]
    for mode in ("forward", "forward_backward"):
        ms = r["ms"]
        parts.append(f"{ms[mode]['fast']:8.1f} " + " ".join(_cell(ratio(ms, n, mode)) for n in ("textbook", "gemm", "torch")))
    mib = 2 ** 20
    parts.append(f"{r['peak_bytes'] / mib:8.1f} {r['activation_bytes'] / mib:8.1f} {r['peak_bytes'] / r['activation_bytes']:9.2f}")
    return " | ".join(parts)


def format_table(results):
    """The whole table: a header line and one row per result."""
    return "\n".join([HEADER, "-" * len(HEADER)] + [format_row(r) for r in results])


def goals(results):
    """The goals, each as ``(text, holds, measured)``; a goal with nothing measured is left out.

    The speed goals are about the LSTM; the memory goal is checked for every cell at the large
    configurations (at the small ones a fixed ~0.1 MiB of Python objects dominates).
    """
    lstm = {(r["dtype"], tuple(r["config"])): r for r in results if r["kind"] == "lstm"}
    large = [(64, 100, 128, 256, 2), (32, 200, 256, 512, 1)]
    found = []

    def add(text, pairs, limit):
        values = [(key, ratio(lstm[key]["ms"], name, "forward_backward")) for key, name in pairs if key in lstm]
        values = [(key, v) for key, v in values if v is not None]
        if values:
            found.append((text, all(v <= limit for _, v in values),
                          ", ".join(f"{key[0]} {key[1]}: {v:.2f}" for key, v in values)))

    configs = list(dict.fromkeys(tuple(r["config"]) for r in results))
    add("float64 forward+backward <= 0.85x PyTorch's LSTM at every configuration",
        [(("float64", config), "torch") for config in configs], 0.85)
    add("float32 forward+backward <= 1.4x PyTorch's LSTM at (64, 100, 128, 256, 2)",
        [(("float32", large[0]), "torch")], 1.4)
    add("float32 forward+backward <= 2x PyTorch's LSTM at (1, 50, 8, 32, 1)",
        [(("float32", (1, 50, 8, 32, 1)), "torch")], 2.0)
    add("LSTM forward+backward <= 1.25x the GEMM-only bound at the two large configurations",
        [((dtype, config), "gemm") for dtype in ("float64", "float32") for config in large], 1.25)
    for kind in dict.fromkeys(r["kind"] for r in results):
        rows = [r for r in results if r["kind"] == kind and tuple(r["config"]) in large]
        if rows:
            worst = max(rows, key=lambda r: r["peak_bytes"] / r["activation_bytes"])
            found.append((f"{kind}: peak memory of forward+backward <= 1.5x the activations BPTT keeps "
                          f"(at the two large configurations)",
                          all(r["peak_bytes"] <= 1.5 * r["activation_bytes"] for r in rows),
                          f"worst {worst['peak_bytes'] / worst['activation_bytes']:.2f} "
                          f"({worst['dtype']} {tuple(worst['config'])})"))
    return found


TRAINING_HEADER = " | ".join([f"{'model':<6} {'dtype':<8} {'(V, H, B, T)':<21}",
                               f"{'fast ms':>8} {'readable ms':>12} {'x fast':>7}",
                               f"{'torch ms':>9} {'fast/torch':>11} {'readable/torch':>15}", f"{'loss diff':>9}"])


def format_training_row(r):
    """One line of the training-step table for one result of
    :func:`lstm_numpy.bench.training.run_training_benchmark`."""
    ms = r["ms"]
    config = "(" + ", ".join(map(str, [r["vocab"], *r["config"]])) + ")"
    torch = ms.get("torch")
    parts = [f"{r['model']:<6} {r['dtype']:<8} {config:<21}",
             f"{ms['fast']:8.1f} {ms['readable']:12.1f} {ms['readable'] / ms['fast']:7.2f}",
             (f"{torch:9.1f} {ms['fast'] / torch:11.2f} {ms['readable'] / torch:15.2f}" if torch is not None
              else f"{'-':>9} {'-':>11} {'-':>15}"),
             f"{r['torch_loss_diff']:9.1e}" if r["torch_loss_diff"] is not None else f"{'-':>9}"]
    return " | ".join(parts)


def format_training_table(results):
    """The training-step table: a header line and one row per result."""
    return "\n".join([TRAINING_HEADER, "-" * len(TRAINING_HEADER)] + [format_training_row(r) for r in results])


def training_goals(results):
    """The goals of the training step, as :func:`goals` gives them: the fast engine's step at
    most 0.6x PyTorch's in float64 and 1.3x in float32, at every size timed."""
    found = []
    for dtype, limit in (("float64", 0.6), ("float32", 1.3)):
        values = [(tuple(r["config"]), r["ms"]["fast"] / r["ms"]["torch"]) for r in results
                  if r["dtype"] == dtype and "torch" in r["ms"]]
        if values:
            found.append((f"{dtype} training step of the character model <= {limit}x PyTorch's (H, B, T)",
                          all(v <= limit for _, v in values),
                          ", ".join(f"{config}: {v:.2f}" for config, v in values)))
    return found


def format_levers(dtype, config, ms, chunks):
    """The lever ladder of :func:`lstm_numpy.bench.levers.lever_ladder` as text."""
    lines = [f"LSTM {dtype} {config}, forward+backward:"]
    base = next(iter(ms.values()))
    lines += [f"  {name:<24} {t:9.1f} ms  {t / base:5.2f}x the textbook" for name, t in ms.items()]
    lines.append("  backward chunk (rows multiplied out together), with the workspace:")
    lines += [f"  {name:<24} {t:9.1f} ms  peak {mib:7.1f} MiB" for name, (t, mib) in chunks.items()]
    return "\n".join(lines)


def format_goals(found):
    return "\n".join(f"[{'holds ' if ok else 'misses'}] {text}: {measured}" for text, ok, measured in found)


def write_json(path, machine, results, found, training=()):
    """Write the machine description, the results (the layers', and a training step's) and the
    goals to ``path``."""
    with open(path, "w") as f:
        json.dump({"machine": machine, "results": results, "training": list(training),
                   "goals": [{"goal": text, "holds": ok, "measured": m} for text, ok, m in found]}, f, indent=1)
