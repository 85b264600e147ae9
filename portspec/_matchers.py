"""The grammar's start symbols compiled to patterns: generated, do not edit.

Made from grammar/*.lark by ``python -m portspec._generate_matchers``; the
grammar stays the one definition (tests/test_grammar.py checks this file
matches it). Terminals come first, as Lark writes them, then each rule
from the patterns above it; a start symbol's reader turns a match into
the parse Lark would give.
"""

# ruff: noqa
# mypy: ignore-errors
from portspec._tokens import Tok

new = tuple.__new__

CONTAINER_PORT = '[0-9]+(?![0-9])(?=[^:]*\\Z)'
RANGE_EXTRA = '-[^\\/:]*'
container_ports = '(?:(' + CONTAINER_PORT + ')(?:(?:\\-)(' + CONTAINER_PORT + ')(?:(' + RANGE_EXTRA + '))?)?)'
PROTOCOL = '(?ai:tcp|udp|sctp)(?=\\/|\\Z)'
EXTRA = '[^:]+'
container = '(?:' + container_ports + '((?:/)(?:(' + PROTOCOL + '))?((?:/)(?:(' + EXTRA + '))?)?)?)'
HOST_PORT = '[0-9]+(?![0-9])(?=[^:]*:[^:]*\\Z)'
HOST_RANGE_EXTRA = '-[^:]*'
host_ports = '(?:(' + HOST_PORT + ')(?:(?:\\-)(' + HOST_PORT + ')(?:(' + HOST_RANGE_EXTRA + '))?)?)'
HOST_IP = '(?:\\[[^\\[\\]]*\\]|[0-9A-Fa-f.:]+)(?=:[^:]*:[^:]*\\Z)'
publish = '(?:(?:' + container + ')|(?:(?:' + host_ports + ')?(?::)' + container + ')|(?:(?:(' + HOST_IP + '))?(?::)(?:' + host_ports + ')?(?::)' + container + '))'
compose_container = '(?:' + container_ports + '((?:/)(?:(' + PROTOCOL + '))?)?)'
compose_publish = '(?:(?:' + compose_container + ')|(?:(?:' + host_ports + ')?(?::)' + compose_container + ')|(?:(?:(' + HOST_IP + '))?(?::)(?:' + host_ports + ')?(?::)' + compose_container + '))'
PORT = '[0-9]+(?![0-9])'
expose_ports = '(?:(' + PORT + ')(?:(?:\\-)(' + PORT + ')(?:(' + RANGE_EXTRA + '))?)?)'
EXPOSE_PROTOCOL = '[^\\/:]+'
expose = '(?:' + expose_ports + '((?:/)(?:(' + EXPOSE_PROTOCOL + '))?((?:/)(?:(' + EXTRA + '))?)?)?)'
LINK_PART = '[^:]+'
link = '(?:(?:(' + LINK_PART + '))|((?:(' + LINK_PART + '))?(?::)(?:(' + LINK_PART + '))?))'


def read_publish(text, match):
    start, end = match.start, match.end
    return (('publish_container', (('container', (('container_ports', (new(Tok, ('CONTAINER_PORT', text[(s := start(1)):(e := end(1))], s, e)), (new(Tok, ('CONTAINER_PORT', text[(s := start(2)):(e := end(2))], s, e)) if start(2) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[(s := start(3)):(e := end(3))], s, e)) if start(3) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[(s := start(5)):(e := end(5))], s, e)) if start(5) >= 0 else None), (new(Tok, ('EXTRA', text[(s := start(7)):(e := end(7))], s, e)) if start(7) >= 0 else None), )), )) if start(1) >= 0 else (('publish_host', ((('host_ports', (new(Tok, ('HOST_PORT', text[(s := start(8)):(e := end(8))], s, e)), (new(Tok, ('HOST_PORT', text[(s := start(9)):(e := end(9))], s, e)) if start(9) >= 0 else None), (new(Tok, ('HOST_RANGE_EXTRA', text[(s := start(10)):(e := end(10))], s, e)) if start(10) >= 0 else None), )) if start(8) >= 0 else None), ('container', (('container_ports', (new(Tok, ('CONTAINER_PORT', text[(s := start(11)):(e := end(11))], s, e)), (new(Tok, ('CONTAINER_PORT', text[(s := start(12)):(e := end(12))], s, e)) if start(12) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[(s := start(13)):(e := end(13))], s, e)) if start(13) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[(s := start(15)):(e := end(15))], s, e)) if start(15) >= 0 else None), (new(Tok, ('EXTRA', text[(s := start(17)):(e := end(17))], s, e)) if start(17) >= 0 else None), )), )) if start(11) >= 0 else ('publish_address', ((new(Tok, ('HOST_IP', text[(s := start(18)):(e := end(18))], s, e)) if start(18) >= 0 else None), (('host_ports', (new(Tok, ('HOST_PORT', text[(s := start(19)):(e := end(19))], s, e)), (new(Tok, ('HOST_PORT', text[(s := start(20)):(e := end(20))], s, e)) if start(20) >= 0 else None), (new(Tok, ('HOST_RANGE_EXTRA', text[(s := start(21)):(e := end(21))], s, e)) if start(21) >= 0 else None), )) if start(19) >= 0 else None), ('container', (('container_ports', (new(Tok, ('CONTAINER_PORT', text[(s := start(22)):(e := end(22))], s, e)), (new(Tok, ('CONTAINER_PORT', text[(s := start(23)):(e := end(23))], s, e)) if start(23) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[(s := start(24)):(e := end(24))], s, e)) if start(24) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[(s := start(26)):(e := end(26))], s, e)) if start(26) >= 0 else None), (new(Tok, ('EXTRA', text[(s := start(28)):(e := end(28))], s, e)) if start(28) >= 0 else None), )), ))))


def read_compose_publish(text, match):
    start, end = match.start, match.end
    return (('publish_container', (('container', (('container_ports', (new(Tok, ('CONTAINER_PORT', text[(s := start(1)):(e := end(1))], s, e)), (new(Tok, ('CONTAINER_PORT', text[(s := start(2)):(e := end(2))], s, e)) if start(2) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[(s := start(3)):(e := end(3))], s, e)) if start(3) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[(s := start(5)):(e := end(5))], s, e)) if start(5) >= 0 else None), )), )) if start(1) >= 0 else (('publish_host', ((('host_ports', (new(Tok, ('HOST_PORT', text[(s := start(6)):(e := end(6))], s, e)), (new(Tok, ('HOST_PORT', text[(s := start(7)):(e := end(7))], s, e)) if start(7) >= 0 else None), (new(Tok, ('HOST_RANGE_EXTRA', text[(s := start(8)):(e := end(8))], s, e)) if start(8) >= 0 else None), )) if start(6) >= 0 else None), ('container', (('container_ports', (new(Tok, ('CONTAINER_PORT', text[(s := start(9)):(e := end(9))], s, e)), (new(Tok, ('CONTAINER_PORT', text[(s := start(10)):(e := end(10))], s, e)) if start(10) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[(s := start(11)):(e := end(11))], s, e)) if start(11) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[(s := start(13)):(e := end(13))], s, e)) if start(13) >= 0 else None), )), )) if start(9) >= 0 else ('publish_address', ((new(Tok, ('HOST_IP', text[(s := start(14)):(e := end(14))], s, e)) if start(14) >= 0 else None), (('host_ports', (new(Tok, ('HOST_PORT', text[(s := start(15)):(e := end(15))], s, e)), (new(Tok, ('HOST_PORT', text[(s := start(16)):(e := end(16))], s, e)) if start(16) >= 0 else None), (new(Tok, ('HOST_RANGE_EXTRA', text[(s := start(17)):(e := end(17))], s, e)) if start(17) >= 0 else None), )) if start(15) >= 0 else None), ('container', (('container_ports', (new(Tok, ('CONTAINER_PORT', text[(s := start(18)):(e := end(18))], s, e)), (new(Tok, ('CONTAINER_PORT', text[(s := start(19)):(e := end(19))], s, e)) if start(19) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[(s := start(20)):(e := end(20))], s, e)) if start(20) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[(s := start(22)):(e := end(22))], s, e)) if start(22) >= 0 else None), )), ))))


def read_expose(text, match):
    start, end = match.start, match.end
    return ('expose', (('expose_ports', (new(Tok, ('PORT', text[(s := start(1)):(e := end(1))], s, e)), (new(Tok, ('PORT', text[(s := start(2)):(e := end(2))], s, e)) if start(2) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[(s := start(3)):(e := end(3))], s, e)) if start(3) >= 0 else None), )), (new(Tok, ('EXPOSE_PROTOCOL', text[(s := start(5)):(e := end(5))], s, e)) if start(5) >= 0 else None), (new(Tok, ('EXTRA', text[(s := start(7)):(e := end(7))], s, e)) if start(7) >= 0 else None), ))


def read_link(text, match):
    start, end = match.start, match.end
    return (('link_name', (new(Tok, ('LINK_PART', text[(s := start(1)):(e := end(1))], s, e)), )) if start(1) >= 0 else ('link_alias', ((new(Tok, ('LINK_PART', text[(s := start(3)):(e := end(3))], s, e)) if start(3) >= 0 else None), (new(Tok, ('LINK_PART', text[(s := start(4)):(e := end(4))], s, e)) if start(4) >= 0 else None), )))


MATCHERS = {
    'publish': (publish, read_publish),
    'compose_publish': (compose_publish, read_compose_publish),
    'expose': (expose, read_expose),
    'link': (link, read_link),
}
