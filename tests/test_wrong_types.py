"""Wrong types at the public helpers: a TypeError or ValueError that names the argument and what came."""
import numpy as np
import pytest

import lstm_numpy as ln
from lstm_numpy.gradcheck import check_gradients


# Wrong types at the public helpers: a TypeError or ValueError naming the argument.


@pytest.mark.parametrize("call, error, message", [
    (lambda: check_gradients(lambda: 0.0, {"w": np.ones(2)}, {"w": np.ones(2)}, eps=0), ValueError, "expected eps > 0"),
    (lambda: check_gradients(lambda: 0.0, {"w": [1.0, 2.0]}, {"w": [1.0, 1.0]}), TypeError, "a list cannot be perturbed"),
    (lambda: check_gradients(lambda: 0.0, {"w": np.ones(2)}, {}), ValueError, "analytic lacks ['w']"),
    (lambda: ln.interop.from_tf(None), TypeError, "expected variables as a mapping of names to arrays, got NoneType"),
    (lambda: ln.interop.from_tf({1: np.ones(3)}), TypeError, "expected variables keyed by str names, got the key 1"),
    (lambda: ln.interop.from_torch({0: np.ones(3)}, "lstm"), TypeError, "expected state_dict keyed by str names"),
    (lambda: ln.interop.from_keras(None, "lstm"), TypeError, "expected weights as a list of arrays"),
    (lambda: ln.interop.to_tf(ln.LSTMCell(3, 4), scope=3), TypeError, "expected scope as a str"),
    (lambda: ln.interop.to_torch(ln.LSTMCell(3, 4), params=[1]), TypeError, "expected params as a mapping"),
    (lambda: ln.interop.to_torch(ln.LSTMCell), TypeError, "got the class LSTMCell itself"),
    (lambda: ln.dynamic_rnn(ln.GRUCell, np.ones((1, 2, 3))), TypeError, "got the class GRUCell itself"),
    (lambda: ln.MultiRNNCell([ln.RNNCell]), TypeError, "expected cells[0] as a cell object such as RNNCell(8, 20)"),
])


def test_wrong_types_name_the_argument(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value)
