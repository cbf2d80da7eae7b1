# mpy's own CPU benchmark: one "loop" mixes what small Python programs spend
# their time on -- method calls and attribute access on small objects,
# integer arithmetic, short string work, list and dict traffic, a generator,
# a little recursion, and an exception raised and caught now and then.
# Plain Python: it runs unchanged on mpy, the stock glue, the native
# MicroPython Unix port and CPython, and returns the same checksum on all.


class Cell:
    def __init__(self, value, link=None):
        self.value = value
        self.link = link
        self.hits = 0

    def bump(self, by):
        self.hits += 1
        self.value = (self.value * 31 + by) % 65521
        return self.value

    def chain_sum(self, depth):
        total = 0
        cell = self
        while cell is not None and depth > 0:
            total += cell.value
            cell = cell.link
            depth -= 1
        return total


class Ledger:
    def __init__(self):
        self.balances = {}
        self.rejected = 0

    def post(self, account, amount):
        balance = self.balances.get(account, 0) + amount
        if balance < 0:
            raise ValueError(account)
        self.balances[account] = balance

    def transfer(self, src, dst, amount):
        try:
            self.post(src, -amount)
        except ValueError:
            self.rejected += 1
            return False
        self.post(dst, amount)
        return True


WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")


def classify(word):
    if word < "delta":
        return 1
    if word.startswith("e"):
        return 2
    return 3


def squares(n):
    for i in range(n):
        yield i * i


def depth_sum(n):
    if n <= 1:
        return n
    return n + depth_sum(n - 1)


def one_loop(i, cells, ledger, grid):
    cell = cells[i % len(cells)]
    acc = cell.bump(i) + cell.chain_sum(4)
    word = WORDS[i % 8]
    acc += classify(word) * len(word)
    key = word[:3] + str(i % 5)
    acc += len(key)
    row = grid[i % 8]
    row[(i * 3) % 8] = (row[(i * 3) % 8] + acc) % 1000
    acc += sum(row[:4]) - row[7]
    acc += sum(squares(6))
    acc += depth_sum(i % 7)
    ledger.transfer("acct" + str(i % 6), "acct" + str((i + 1) % 6), i % 9)
    return acc


def run(loops):
    """Runs `loops` loops; returns a checksum that is the same on every implementation."""
    cells = []
    prev = None
    for n in range(16):
        prev = Cell(n * 7, prev)
        cells.append(prev)
    ledger = Ledger()
    ledger.post("acct0", 40)
    grid = [[0] * 8 for _ in range(8)]
    check = 0
    for i in range(loops):
        check = (check + one_loop(i, cells, ledger, grid)) % 1000000007
    balances = ledger.balances
    return (check + ledger.rejected * 7 + sum(balances[k] for k in sorted(balances))) % 1000000007
