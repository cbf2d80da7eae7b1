# mpy: argparse, the subset the Unix port freezes (micropython-lib's API):
# ArgumentParser(description=...), add_argument() with the actions store,
# store_const, store_true, store_false, append and count, nargs (N, "?", "*",
# "+"), const, default, type, dest, help and choices; parse_args() and
# parse_known_args(). Usage and errors print as the Unix port's do; an error
# exits 2, -h/--help exits 0. Written for mpy, not derived from CPython's or
# micropython-lib's source.
import sys


class ArgumentTypeError(Exception):
    """Raise from a `type` callable to reject a value with a message."""


class _ParseError(Exception):
    pass


class Namespace:
    """The parsed values, as attributes named by each argument's dest."""

    def __init__(self, **values):
        for k in values:
            setattr(self, k, values[k])

    def __contains__(self, key):
        return key in self.__dict__

    def __eq__(self, other):
        return isinstance(other, Namespace) and self.__dict__ == other.__dict__

    def __repr__(self):
        return "Namespace(%s)" % ", ".join("%s=%r" % (k, self.__dict__[k]) for k in sorted(self.__dict__))


class _Spec:
    def __init__(self, names, dest, action, nargs, const, default, kind, help, choices):
        self.names = names
        self.dest = dest
        self.action = action
        self.nargs = nargs
        self.const = const
        self.default = default
        self.kind = kind
        self.help = help
        self.choices = choices

    def takes_values(self):
        return self.action in ("store", "append")

    def convert(self, label, text):
        value = text
        if self.kind is not None:
            try:
                value = self.kind(text)
            except ArgumentTypeError as e:
                raise _ParseError("argument %s: %s" % (label, e))
            except (TypeError, ValueError) as e:
                raise _ParseError("invalid value for %s: %s (%s)" % (label, text, e))
        if self.choices is not None and value not in self.choices:
            raise _ParseError(
                "argument %s: invalid choice: %r (choose from %s)" % (label, value, ", ".join(repr(c) for c in self.choices))
            )
        return value

    def take(self, label, args, optional):
        # Takes this argument's values from the front of `args`.
        def available():
            n = 0
            while n < len(args) and not (optional and _is_option(args[n])):
                n += 1
            return n

        nargs = self.nargs
        if nargs is None:
            if not args or (optional and _is_option(args[0])):
                raise _ParseError("expecting value for %s" % label)
            return self.convert(label, args.pop(0))
        if nargs == "?":
            if available():
                return self.convert(label, args.pop(0))
            return self.const if optional else self.default
        if nargs == "*" or nargs == "+":
            n = available()
            if nargs == "+" and n == 0:
                raise _ParseError("expecting value for %s" % label)
            return [self.convert(label, args.pop(0)) for _ in range(n)]
        if available() < nargs:
            raise _ParseError("expecting %d values for %s" % (nargs, label))
        return [self.convert(label, args.pop(0)) for _ in range(nargs)]


def _is_option(text):
    return len(text) > 1 and text[0] == "-" and text != "--"


def _dest_of(names):
    for name in names:
        if name.startswith("--"):
            return name[2:].replace("-", "_")
    return names[0].lstrip("-").replace("-", "_")


_ACTIONS = ("store", "store_const", "store_true", "store_false", "append", "count")


class ArgumentParser:
    """A command-line parser: declare arguments with add_argument, then parse_args()."""

    def __init__(self, *, description="", prog=None):
        self.description = description
        self.prog = prog
        self._options = []
        self._positionals = []

    def add_argument(self, *names, **kw):
        """Declares an option (names starting with "-") or a positional argument."""
        action = kw.get("action", "store")
        if action not in _ACTIONS:
            raise ValueError("unknown action %r" % (action,))
        const = kw.get("const")
        default = kw.get("default")
        if action == "store_true":
            action, const = "store_const", True
            default = kw.get("default", False)
        elif action == "store_false":
            action, const = "store_const", False
            default = kw.get("default", True)
        kind = kw.get("type")
        if kind is not None and not callable(kind):
            raise ValueError("type is not callable")
        optional = bool(names) and names[0].startswith("-")
        dest = kw.get("dest")
        if dest is None:
            if not names:
                raise TypeError("add_argument needs a name or a dest")
            dest = _dest_of(names) if optional else names[0]
        spec = _Spec(names or (dest,), dest, action, kw.get("nargs"), const, default, kind, kw.get("help", ""), kw.get("choices"))
        (self._options if optional else self._positionals).append(spec)
        return spec

    def _prog(self):
        if self.prog is not None:
            return self.prog
        return sys.argv[0] if sys.argv else "prog"

    @staticmethod
    def _metavar(spec):
        if not spec.takes_values():
            return ""
        if spec.nargs is None:
            return " %s" % spec.dest
        if isinstance(spec.nargs, int):
            return " %s(x%d)" % (spec.dest, spec.nargs)
        return " %s%s" % (spec.dest, spec.nargs)

    def format_usage(self):
        """The one-line usage text."""
        parts = ["usage: %s [-h]" % self._prog()]
        for spec in self._options:
            parts.append(" [%s%s]" % (", ".join(spec.names), self._metavar(spec)))
        for spec in self._positionals:
            parts.append(self._metavar(spec) if spec.takes_values() else " " + spec.dest)
        return "".join(parts) + "\n"

    def format_help(self):
        """The usage text with the description and every argument's help."""
        lines = [self.format_usage()]
        if self.description:
            lines.append("\n" + self.description + "\n")
        if self._positionals:
            lines.append("\npositional args:\n")
            for spec in self._positionals:
                lines.append("  %-16s%s\n" % (spec.names[0], spec.help))
        lines.append("\noptional args:\n")
        lines.append("  -h, --help      show this message and exit\n")
        for spec in self._options:
            lines.append("  %-16s%s\n" % (", ".join(spec.names) + self._metavar(spec), spec.help))
        return "".join(lines)

    def print_usage(self, file=None):
        (file or sys.stdout).write(self.format_usage())

    def print_help(self, file=None):
        (file or sys.stdout).write(self.format_help())

    def error(self, message):
        """Prints the usage and the message, then exits with status 2."""
        self.print_usage()
        print("error:", message)
        sys.exit(2)

    def parse_args(self, args=None):
        """Parses `args` (default sys.argv[1:]); an unknown argument is an error."""
        return self._parse_or_exit(args, False)

    def parse_known_args(self, args=None):
        """Parses `args`; returns (namespace, the arguments it did not know)."""
        return self._parse_or_exit(args, True)

    def _parse_or_exit(self, args, keep_unknown):
        args = list(sys.argv[1:] if args is None else args)
        try:
            return self._parse(args, keep_unknown)
        except _ParseError as e:
            self.error(str(e))

    def _default_of(self, spec):
        if spec.action == "count" and spec.default is None:
            return None
        if isinstance(spec.default, str) and spec.kind is not None:
            return spec.convert(spec.names[0], spec.default)
        return spec.default

    def _parse(self, args, keep_unknown):
        values = {}
        for spec in self._options:
            values[spec.dest] = self._default_of(spec)
        unknown = []
        loose = []
        only_positional = False
        while args:
            text = args.pop(0)
            if only_positional or not _is_option(text):
                if text == "--" and not only_positional:
                    only_positional = True
                    continue
                loose.append(text)
                continue
            if text in ("-h", "--help"):
                self.print_help()
                sys.exit(0)
            name, eq, inline = text.partition("=") if text.startswith("--") else (text, "", "")
            spec = self._option_named(name)
            if spec is None:
                if not keep_unknown:
                    raise _ParseError("unknown option %s" % text)
                unknown.append(text)
                continue
            if eq:
                args.insert(0, inline)
            self._apply(spec, name, args, values)
        self._take_positionals(loose, values, unknown, keep_unknown)
        namespace = Namespace(**values)
        return (namespace, unknown) if keep_unknown else namespace

    def _option_named(self, name):
        for spec in self._options:
            if name in spec.names:
                return spec
        return None

    @staticmethod
    def _apply(spec, name, args, values):
        if spec.action == "store_const":
            values[spec.dest] = spec.const
        elif spec.action == "count":
            values[spec.dest] = (values[spec.dest] or 0) + 1
        elif spec.action == "append":
            items = values[spec.dest]
            items = [] if items is None else list(items)
            items.append(spec.take(name, args, True))
            values[spec.dest] = items
        else:
            values[spec.dest] = spec.take(name, args, True)

    def _take_positionals(self, loose, values, unknown, keep_unknown):
        for spec in self._positionals:
            if spec.nargs is None and not loose:
                raise _ParseError("expecting value for %s" % spec.dest)
            values[spec.dest] = spec.take(spec.dest, loose, False)
        if loose:
            if not keep_unknown:
                raise _ParseError("extra args: %s" % " ".join(loose))
            unknown.extend(loose)
