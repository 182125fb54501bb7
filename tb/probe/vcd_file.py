"""Reading a VCD file (IEEE 1364-2005 18.2) for the checker and the comparer: the
declarations first, then the value-change lines."""
from collections import namedtuple

# code: the identifier (bytes); name: the full dotted name; range: "[3:0]" or "".
Var = namedtuple("Var", "code width name range")


def open_vcd(path):
    """Returns (variables, body): every $var in declaration order, and an iterator over
    (line number, stripped non-empty line) after $enddefinitions."""
    f = open(path, "rb")
    variables, scope, lineno = [], [], 0
    for raw in f:
        lineno += 1
        words = raw.split()
        if not words:
            continue
        if words[0] == b"$scope":
            scope.append(words[2].decode())
        elif words[0] == b"$upscope":
            scope.pop()
        elif words[0] == b"$var":
            rng = words[5].decode() if len(words) > 6 and words[5].startswith(b"[") else ""
            variables.append(Var(words[3], int(words[2]), ".".join(scope + [words[4].decode()]), rng))
        elif words[0] == b"$enddefinitions":
            break

    def body(n=lineno):
        with f:
            for raw in f:
                n += 1
                line = raw.strip()
                if line:
                    yield n, line

    return variables, body()
