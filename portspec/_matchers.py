"""The grammar's start symbols compiled to patterns: generated, do not edit.

Made from grammar/*.lark by ``python -m portspec._generate_matchers``; the
grammar stays the one definition (tests/test_grammar.py checks this file
matches it). Terminals come first, as Lark writes them, then each rule
from the patterns above it; a start symbol's reader turns a match into
the parse Lark would give.
"""

# ruff: noqa
# mypy: ignore-errors
from portspec._tokens import ContainerPart, ExposePart, LinkAlias, LinkName, Ports, PublishAddress, PublishContainer, PublishHost, Tok

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
    return (new(PublishContainer, (new(ContainerPart, (new(Ports, (new(Tok, ('CONTAINER_PORT', text[s1:(e := end(1))], s1, e)), (new(Tok, ('CONTAINER_PORT', text[s2:(e := end(2))], s2, e)) if (s2 := start(2)) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[s3:(e := end(3))], s3, e)) if (s3 := start(3)) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[s5:(e := end(5))], s5, e)) if (s5 := start(5)) >= 0 else None), (new(Tok, ('EXTRA', text[s7:(e := end(7))], s7, e)) if (s7 := start(7)) >= 0 else None), )), )) if (s1 := start(1)) >= 0 else (new(PublishHost, ((new(Ports, (new(Tok, ('HOST_PORT', text[s8:(e := end(8))], s8, e)), (new(Tok, ('HOST_PORT', text[s9:(e := end(9))], s9, e)) if (s9 := start(9)) >= 0 else None), (new(Tok, ('HOST_RANGE_EXTRA', text[s10:(e := end(10))], s10, e)) if (s10 := start(10)) >= 0 else None), )) if (s8 := start(8)) >= 0 else None), new(ContainerPart, (new(Ports, (new(Tok, ('CONTAINER_PORT', text[s11:(e := end(11))], s11, e)), (new(Tok, ('CONTAINER_PORT', text[s12:(e := end(12))], s12, e)) if (s12 := start(12)) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[s13:(e := end(13))], s13, e)) if (s13 := start(13)) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[s15:(e := end(15))], s15, e)) if (s15 := start(15)) >= 0 else None), (new(Tok, ('EXTRA', text[s17:(e := end(17))], s17, e)) if (s17 := start(17)) >= 0 else None), )), )) if (s11 := start(11)) >= 0 else new(PublishAddress, ((new(Tok, ('HOST_IP', text[s18:(e := end(18))], s18, e)) if (s18 := start(18)) >= 0 else None), (new(Ports, (new(Tok, ('HOST_PORT', text[s19:(e := end(19))], s19, e)), (new(Tok, ('HOST_PORT', text[s20:(e := end(20))], s20, e)) if (s20 := start(20)) >= 0 else None), (new(Tok, ('HOST_RANGE_EXTRA', text[s21:(e := end(21))], s21, e)) if (s21 := start(21)) >= 0 else None), )) if (s19 := start(19)) >= 0 else None), new(ContainerPart, (new(Ports, (new(Tok, ('CONTAINER_PORT', text[(s22 := start(22)):(e := end(22))], s22, e)), (new(Tok, ('CONTAINER_PORT', text[s23:(e := end(23))], s23, e)) if (s23 := start(23)) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[s24:(e := end(24))], s24, e)) if (s24 := start(24)) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[s26:(e := end(26))], s26, e)) if (s26 := start(26)) >= 0 else None), (new(Tok, ('EXTRA', text[s28:(e := end(28))], s28, e)) if (s28 := start(28)) >= 0 else None), )), ))))


def read_compose_publish(text, match):
    start, end = match.start, match.end
    return (new(PublishContainer, (new(ContainerPart, (new(Ports, (new(Tok, ('CONTAINER_PORT', text[s1:(e := end(1))], s1, e)), (new(Tok, ('CONTAINER_PORT', text[s2:(e := end(2))], s2, e)) if (s2 := start(2)) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[s3:(e := end(3))], s3, e)) if (s3 := start(3)) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[s5:(e := end(5))], s5, e)) if (s5 := start(5)) >= 0 else None), None, )), )) if (s1 := start(1)) >= 0 else (new(PublishHost, ((new(Ports, (new(Tok, ('HOST_PORT', text[s6:(e := end(6))], s6, e)), (new(Tok, ('HOST_PORT', text[s7:(e := end(7))], s7, e)) if (s7 := start(7)) >= 0 else None), (new(Tok, ('HOST_RANGE_EXTRA', text[s8:(e := end(8))], s8, e)) if (s8 := start(8)) >= 0 else None), )) if (s6 := start(6)) >= 0 else None), new(ContainerPart, (new(Ports, (new(Tok, ('CONTAINER_PORT', text[s9:(e := end(9))], s9, e)), (new(Tok, ('CONTAINER_PORT', text[s10:(e := end(10))], s10, e)) if (s10 := start(10)) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[s11:(e := end(11))], s11, e)) if (s11 := start(11)) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[s13:(e := end(13))], s13, e)) if (s13 := start(13)) >= 0 else None), None, )), )) if (s9 := start(9)) >= 0 else new(PublishAddress, ((new(Tok, ('HOST_IP', text[s14:(e := end(14))], s14, e)) if (s14 := start(14)) >= 0 else None), (new(Ports, (new(Tok, ('HOST_PORT', text[s15:(e := end(15))], s15, e)), (new(Tok, ('HOST_PORT', text[s16:(e := end(16))], s16, e)) if (s16 := start(16)) >= 0 else None), (new(Tok, ('HOST_RANGE_EXTRA', text[s17:(e := end(17))], s17, e)) if (s17 := start(17)) >= 0 else None), )) if (s15 := start(15)) >= 0 else None), new(ContainerPart, (new(Ports, (new(Tok, ('CONTAINER_PORT', text[(s18 := start(18)):(e := end(18))], s18, e)), (new(Tok, ('CONTAINER_PORT', text[s19:(e := end(19))], s19, e)) if (s19 := start(19)) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[s20:(e := end(20))], s20, e)) if (s20 := start(20)) >= 0 else None), )), (new(Tok, ('PROTOCOL', text[s22:(e := end(22))], s22, e)) if (s22 := start(22)) >= 0 else None), None, )), ))))


def read_expose(text, match):
    start, end = match.start, match.end
    return new(ExposePart, (new(Ports, (new(Tok, ('PORT', text[(s1 := start(1)):(e := end(1))], s1, e)), (new(Tok, ('PORT', text[s2:(e := end(2))], s2, e)) if (s2 := start(2)) >= 0 else None), (new(Tok, ('RANGE_EXTRA', text[s3:(e := end(3))], s3, e)) if (s3 := start(3)) >= 0 else None), )), (new(Tok, ('EXPOSE_PROTOCOL', text[s5:(e := end(5))], s5, e)) if (s5 := start(5)) >= 0 else None), (new(Tok, ('EXTRA', text[s7:(e := end(7))], s7, e)) if (s7 := start(7)) >= 0 else None), ))


def read_link(text, match):
    start, end = match.start, match.end
    return (new(LinkName, (new(Tok, ('LINK_PART', text[s1:(e := end(1))], s1, e)), )) if (s1 := start(1)) >= 0 else new(LinkAlias, ((new(Tok, ('LINK_PART', text[s3:(e := end(3))], s3, e)) if (s3 := start(3)) >= 0 else None), (new(Tok, ('LINK_PART', text[s4:(e := end(4))], s4, e)) if (s4 := start(4)) >= 0 else None), )))


MATCHERS = {
    'publish': (publish, read_publish),
    'compose_publish': (compose_publish, read_compose_publish),
    'expose': (expose, read_expose),
    'link': (link, read_link),
}
