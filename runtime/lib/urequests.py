# mpy: the pre-1.21 name of `requests`, which micropython-lib still provides.
from requests import *
from requests import Response, RequestException, TooManyRedirects, request
