# rpn: a small reverse-Polish-notation calculator for MicroPython.
#
#   >>> import rpn
#   >>> rpn.evaluate("3 4 + 2 *")
#   14


class RPNError(ValueError):
    """The expression is malformed: unknown token, too few operands, or leftovers."""


def _div(a, b):
    if b == 0:
        raise RPNError("division by zero")
    return a / b if isinstance(a, float) or isinstance(b, float) or a % b else a // b


OPERATORS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _div,
    "^": lambda a, b: a**b,
}


def tokenize(text):
    """The tokens of an expression: numbers (int or float) and operator strings."""
    tokens = []
    for word in text.split():
        if word in OPERATORS:
            tokens.append(word)
            continue
        try:
            tokens.append(int(word))
        except ValueError:
            try:
                tokens.append(float(word))
            except ValueError:
                raise RPNError("unknown token %r" % word)
    return tokens


def evaluate(text):
    """The value of an RPN expression."""
    stack = []
    for token in tokenize(text):
        if isinstance(token, str):
            if len(stack) < 2:
                raise RPNError("operator %r needs two operands" % token)
            b = stack.pop()
            a = stack.pop()
            stack.append(OPERATORS[token](a, b))
        else:
            stack.append(token)
    if len(stack) != 1:
        raise RPNError("expected one result, found %d" % len(stack))
    return stack[0]
