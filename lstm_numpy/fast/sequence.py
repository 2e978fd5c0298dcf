"""``fast.dynamic_rnn`` and ``fast.dynamic_rnn_backward``: the contract of
:mod:`lstm_numpy.time_loop`, computed whole sequences layer by layer.

The readable path loops over time and, inside each step, over the layers. Here the loops are
the other way round: each layer runs over the whole sequence before the next one starts, so
a layer's input for all T steps is at hand at once and its input projection is one large
product. The results are the same numbers, up to rounding (tests/test_fast.py).

The ``sequence_length`` rule is the one of :func:`lstm_numpy.dynamic_rnn`: at and past a row's
length its output is zero and its state is carried; backward, a masked output lets no
gradient in and the carried state passes its gradient straight through.

A kernel computes the cell options its ``OPTIONS`` names. A layer with another option set
(an LSTM with peepholes, a clip or a projection) is routed to the readable step functions
(:mod:`lstm_numpy.fast.readable`), that layer only: the results are then the readable path's
numbers, and the layer's cache says ``route: "readable"`` (:func:`routes` lists them).
"""
import numpy as np

from .. import time_loop
from ..checks import as_float_array, check_finite, check_outputs_shape, check_state
from ..state import map_state
from ..time_loop import Grads
from . import gru, lstm, readable, rnn
from .onehot import OneHot
from .workspace import Workspace, chunk_steps


KERNELS = {"lstm": lstm, "gru": gru, "rnn": rnn}    # cell.kind -> the module of its fast kernel


def layer_module(cell):
    """The module holding ``forward`` and ``backward`` for this layer: its kind's kernel, or the
    readable route for options the kernel does not compute.

    Parameters
    ----------
    cell : RNNCell, LSTMCell or GRUCell, one layer (D inputs, H units)

    Returns
    -------
    module : :mod:`lstm_numpy.fast.rnn`, :mod:`~lstm_numpy.fast.lstm` or
        :mod:`~lstm_numpy.fast.gru`, whose ``forward`` maps a layer's (T, B, D) inputs to its
        (T, B, H) outputs; :mod:`~lstm_numpy.fast.readable` for a layer with an option its
        kernel lacks (an LSTM's peepholes, clips or projection, outputs (T, B, P))
    """
    kind = getattr(cell, "kind", None)
    if getattr(cell, "wrapped", None) is not None:
        raise TypeError(f"the fast engine runs plain layers; a {type(cell).__name__} changes its cell's step, "
                        f"so run it with lstm_numpy.dynamic_rnn")
    if kind not in KERNELS:
        raise TypeError(f"expected a layer of a kind the fast engine has a kernel for ({', '.join(KERNELS)}), "
                        f"got {type(cell).__name__}" + (f" of kind {kind!r}" if kind else ""))
    kernel = KERNELS[kind]
    uncovered = [name for name, value in cell.options().items()
                 if name not in kernel.OPTIONS and value != cell.OPTIONS[name]]
    return readable if uncovered else kernel


def routes(cache):
    """Which code ran each layer of a fast pass: ``"fast"`` (its kernel) or ``"readable"``.

    Parameters
    ----------
    cache : dict from :func:`dynamic_rnn` (fast), of a pass over inputs of shape (B, T, D)

    Returns
    -------
    tuple of str, one per layer, bottom first

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.MultiRNNCell([ln.LSTMCell(3, 5, rng=0), ln.LSTMCell(5, 6, num_proj=4, rng=1)])
    >>> _, _, cache = ln.fast.dynamic_rnn(cell, np.ones((2, 4, 3)))
    >>> routes(cache)
    ('fast', 'readable')
    """
    return tuple(layer.get("route", "fast") for layer in cache["layers"])


def final_state_of(layer, cache):
    """A layer's state after the last step, as fresh arrays, from its fast cache.

    Parameters
    ----------
    layer : the one-layer cell
    cache : dict from its kernel's ``forward``, holding each state part over time as ``cs``,
        ``hs``, each of shape (T + 1, B, H)

    Returns
    -------
    state : the layer's state structure, each part a fresh ndarray of shape (B, H)
    """
    if "final_state" in cache:                                # the readable route keeps it as it is
        return map_state(np.copy, cache["final_state"])
    return layer.make_state({part: cache[part + "s"][-1].copy() for part in layer.state_parts})


def _as_float(name, a, dtype):
    """``a`` in ``dtype``, not copied where it already is; bad values get the readable path's errors.
    One-hot inputs held as their ids (:class:`OneHot`, checked when made) pass as they are."""
    if isinstance(a, OneHot):
        return a
    arr = np.asarray(a)
    if arr.dtype.kind == "f":
        with np.errstate(over="ignore", invalid="ignore"):   # a value beyond float32 becomes inf: reported below
            arr = arr.astype(dtype, copy=False)
            if np.isfinite(np.sum(arr)):                      # one pass: a NaN or inf anywhere makes the sum one
                return arr
    as_float_array(name, a, dtype)                            # raises the readable path's error, if it has one
    check_finite(name, arr)
    return arr


def _buffers(workspace, k, dtype, fresh=()):
    """Layer k's named buffers in the workspace; ``shared=True`` for scratch that the layers
    use one after the other (one buffer per shape); a name in ``fresh`` gets new memory instead."""
    def buffer(name, shape, shared=False):
        if name in fresh:
            return np.empty(shape, dtype)
        return workspace.array(f"{name}{tuple(shape)}" if shared else f"layer_{k}/{name}", shape, dtype)
    return buffer


def check_arguments(cell, inputs, sequence_length=None, initial_state=None, time_major=False):
    """:func:`lstm_numpy.time_loop.check_arguments` as the fast engine converts: no copy of inputs
    already of the cell's dtype (the forward pass copies them into its workspace anyway).

    Parameters
    ----------
    cell, inputs, sequence_length, initial_state, time_major : as for :func:`lstm_numpy.dynamic_rnn`;
        ``inputs`` may be a :class:`~lstm_numpy.fast.onehot.OneHot`, one-hot vectors held as ids

    Returns
    -------
    CheckedArguments(xs, sequence_length, initial_state, time_major), ``xs`` of shape (T, B, D),
    a view of ``inputs`` where it can be
    """
    return time_loop.check_arguments(cell, inputs, sequence_length, initial_state, time_major, _as_float)


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, time_major=False, *,
                workspace=None):
    """:func:`lstm_numpy.dynamic_rnn`, fast: same arguments, same outputs and final state.

    Parameters
    ----------
    cell, inputs, sequence_length, initial_state, time_major : as for :func:`lstm_numpy.dynamic_rnn`
    workspace : None (fresh buffers for this call) or a :class:`Workspace` whose buffers this
        call reuses; the next call with the same workspace overwrites this call's cache.

    Returns
    -------
    outputs : ndarray of shape (B, T, H_top), or (T, B, H_top) with ``time_major=True``; read-only:
        without ``sequence_length`` it is a view of the top layer's states in the cache (new
        memory at every call, never a workspace's), so writing into it would change the
        gradients; with it, a new array, read-only all the same. ``outputs.copy()`` to write.
    final_state : the state structure, each row's state at its last valid step
    cache : dict for :func:`dynamic_rnn_backward`; ``cache["layers"][k]`` holds layer k's
        arrays over time (gates, states), see ``forward`` in ``fast/lstm.py``, ``gru.py``, ``rnn.py``
        (or ``readable.py`` for a layer routed to the readable step functions, see :func:`routes`).

    Examples
    --------
    >>> import lstm_numpy as ln
    >>> cell = ln.MultiRNNCell([ln.LSTMCell(8, 20, rng=0), ln.GRUCell(20, 30, rng=1)])
    >>> x = np.random.default_rng(0).normal(size=(4, 6, 8))                 # (B, T, D)
    >>> outputs, final_state, cache = ln.fast.dynamic_rnn(cell, x, sequence_length=[6, 3, 0, 1])
    >>> outputs.shape, final_state[1].shape
    ((4, 6, 30), (4, 30))
    >>> expected, _, _ = ln.dynamic_rnn(cell, x, sequence_length=[6, 3, 0, 1])
    >>> bool(np.allclose(outputs, expected, rtol=1e-12, atol=1e-14))
    True
    """
    return run_checked(cell, check_arguments(cell, inputs, sequence_length, initial_state, time_major),
                       workspace=workspace)


def run_checked(cell, checked, *, workspace=None):
    """The fast forward pass on arguments that :func:`check_arguments` checked.

    Parameters
    ----------
    cell : the cell the arguments were checked for
    checked : CheckedArguments, with ``xs`` of shape (T, B, D)
    workspace : None or a :class:`Workspace`, as for :func:`dynamic_rnn`

    Returns
    -------
    outputs, final_state, cache : as from :func:`dynamic_rnn`, outputs of shape (B, T, H_top)
        or (T, B, H_top)
    """
    xs, lengths, time_major = checked.xs, checked.sequence_length, checked.time_major   # (T, B, D)
    T, B, _ = shape = xs.shape
    state = cell.zero_state(B) if checked.initial_state is None else checked.initial_state
    layers = cell.cells
    modules = [layer_module(layer) for layer in layers]
    workspace = Workspace() if workspace is None else workspace
    if not isinstance(workspace, Workspace):
        raise TypeError(f"expected workspace as None or a lstm_numpy.fast.Workspace, got {type(workspace).__name__}")
    workspace.generation += 1
    dead = None if lengths is None else (np.arange(T)[:, None] >= lengths)[:, :, None]   # (T, B, 1)

    if isinstance(xs, OneHot):
        x = OneHot(xs.ids.copy(), xs.depth, check=False)      # (T, B) ids: the cache's own, for eq. (1)'s rows
    else:
        x = workspace.array("inputs", shape, cell.dtype)      # (T, B, D), contiguous for one product
        x[...] = xs                                           # the cache's own copy: the caller may reuse inputs
    del xs
    states = cell.split_layers(state)
    caches = []
    for k, (layer, module, state_k) in enumerate(zip(layers, modules, states)):
        fresh = ("hs",) if k == len(layers) - 1 else ()       # the outputs: new memory, never a workspace's
        caches.append(module.forward(layer, x, state_k, dead, _buffers(workspace, k, cell.dtype, fresh)))
        x = caches[-1]["hs"][1:]                              # (T, B, H_k), layer k + 1's input
    outputs = x.view() if dead is None else np.where(dead, 0, x).astype(cell.dtype, copy=False)
    outputs.flags.writeable = False                           # a view of the cache: writing would change the gradients
    final_state = cell.join_layers([final_state_of(layer, layer_cache) for layer, layer_cache in zip(layers, caches)])
    cache = {"cell": cell, "layers": caches, "dead": dead, "sequence_length": lengths,
             "time_major": time_major, "inputs_shape": shape, "workspace": workspace,
             "generation": workspace.generation}
    return (outputs if time_major else outputs.transpose(1, 0, 2)), final_state, cache


def dynamic_rnn_backward(d_outputs, d_final_state, cache, *, inputs_gradient=True):
    """:func:`lstm_numpy.dynamic_rnn_backward` for a cache from :func:`dynamic_rnn` (fast).

    Parameters
    ----------
    d_outputs : ndarray of shape (B, T, H_top), or (T, B, H_top) with ``time_major``: dL/d outputs
    d_final_state : None (no loss on the final state) or the state structure, leaves of shape
        (B, H), dL/d final_state
    cache : dict from :func:`dynamic_rnn` (fast), not yet overwritten by a later call on the
        same workspace
    inputs_gradient : bool; False when the inputs are data that no gradient goes to (one-hot
        characters): the bottom layer then skips the product ``da W_x^T`` and ``inputs`` is None

    Returns
    -------
    Grads(inputs, initial_state, params), each ``dfoo`` with ``foo``'s shape and structure.
    ``inputs`` is time-major in memory: for batch-major inputs it is a transposed view, as from
    the readable path. The cache is left as it was: the backward pass can run again on it.
    """
    if not isinstance(cache, dict) or "workspace" not in cache:
        raise TypeError("expected the cache that lstm_numpy.fast.dynamic_rnn returned (its third "
                        "value); a cache of lstm_numpy.dynamic_rnn goes to lstm_numpy.dynamic_rnn_backward")
    cell, workspace = cache["cell"], cache["workspace"]
    if workspace.generation != cache["generation"]:
        raise ValueError("this cache was overwritten: a later fast.dynamic_rnn call used the same "
                         "workspace; run the backward pass before the next forward pass, or give "
                         "each forward pass its own Workspace")
    T, B, D = cache["inputs_shape"]
    H = cell.output_size
    d_outputs = check_outputs_shape(_as_float("d_outputs", d_outputs, cell.dtype), T, B, H, cache["time_major"])
    template = cell.zero_state(B)
    dstate = template if d_final_state is None else check_state("d_final_state", d_final_state, template, cell.dtype)

    layers = cell.cells
    dstates = list(cell.split_layers(dstate))
    d_hs = d_outputs if cache["time_major"] else d_outputs.transpose(1, 0, 2)   # (T, B, H_top)
    steps = chunk_steps(T, B)
    # A wavefront down the stack: each layer's backward takes its output gradient a chunk of
    # steps at a time (the last first) and hands the chunk of its input gradient to the layer
    # below at once, so no layer's whole (T, B, H) input gradient is ever held.
    chunks = ((t0, min(t0 + steps, T), d_hs[t0:t0 + steps]) for t0 in reversed(range(0, T, steps)))
    # The bottom layer writes its chunks of the input gradient straight into the array returned.
    d_inputs = np.empty((T, B, D), cell.dtype) if inputs_gradient else False   # (T, B, D), time-major as the cache
    results = [{} for _ in layers]
    for k in reversed(range(len(layers))):
        chunks = layer_module(layers[k]).backward(layers[k], chunks, dstates[k], cache["layers"][k],
                                                  cache["dead"], _buffers(workspace, k, cell.dtype), results[k],
                                                  d_xs=d_inputs if k == 0 else None)
    for _ in chunks:                                          # runs every layer, a chunk at a time
        pass
    dparams = dict.fromkeys(cell.params)
    for k, result in enumerate(results):
        dstates[k] = result["dstate"]
        for name, grad in result["params"].items():
            key = cell.param_key(k, name)
            dparams[key] = grad if dparams[key] is None else dparams[key] + grad   # shared weights add
    if d_inputs is False:
        d_inputs = None
    elif not cache["time_major"]:
        d_inputs = d_inputs.transpose(1, 0, 2)                # (B, T, D), a view
    return Grads(inputs=d_inputs, initial_state=cell.join_layers(dstates), params=dparams)
