import sys
import unittest

import rpn


class TestTokenize(unittest.TestCase):
    def test_numbers_and_operators(self):
        self.assertEqual(rpn.tokenize("1 2.5 +"), [1, 2.5, "+"])

    def test_unknown_token(self):
        with self.assertRaises(rpn.RPNError):
            rpn.tokenize("1 x +")


class TestEvaluate(unittest.TestCase):
    def test_addition(self):
        self.assertEqual(rpn.evaluate("3 4 +"), 7)

    def test_nested(self):
        self.assertEqual(rpn.evaluate("3 4 + 2 *"), 14)

    def test_integer_division_stays_int(self):
        self.assertIsInstance(rpn.evaluate("8 2 /"), int)

    def test_inexact_division_is_float(self):
        self.assertAlmostEqual(rpn.evaluate("1 3 /"), 0.3333333, places=6)

    def test_errors(self):
        for text in ("+", "1 2", "1 0 /"):
            with self.subTest(text=text):
                with self.assertRaises(rpn.RPNError):
                    rpn.evaluate(text)

    @unittest.skipUnless(sys.implementation.name == "cpython", "big powers are slow on small ports")
    def test_big_power(self):
        self.assertEqual(rpn.evaluate("2 1000 ^"), 2**1000)

    @unittest.expectedFailure
    def test_unary_minus(self):
        # Not supported yet: "-" always takes two operands.
        self.assertEqual(rpn.evaluate("5 -"), -5)


def test_module_level_function():
    assert rpn.evaluate("2 3 ^") == 8
