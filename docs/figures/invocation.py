#!/usr/bin/env python3
"""Draws invocation.svg: the sequence of one synchronous invocation, with the
queue-timeout, missed-result and redelivery fallbacks. A small generator (no
dependencies) because Graphviz has no sequence diagrams; run by
scripts/render-figures.sh, whose --check fails when the SVG is stale."""

from html import escape

PARTICIPANTS = [
    ("client", "client faasctl/curl"),
    ("apisix", "APISIX"),
    ("server", "faas-server"),
    ("kv", "NATS KV users, functions, revoked"),
    ("stream", "NATS stream FAAS_ACTIVATIONS"),
    ("worker", "faas-worker"),
    ("docker", "Docker Engine"),
    ("records", "NATS KV faas_activations"),
]

# (from, to, label, style) or ("note", first, last, text, kind) or ("section", text)
STEPS = [
    ("client", "apisix", "POST /v1/functions/NAME/invoke (HTTPS, bearer token)", "solid"),
    ("apisix", "server", "jwt-auth and limit-count passed: HTTP to one replica", "solid"),
    ("server", "kv", "direct gets: token not revoked, user generation, function", "solid"),
    ("server", "server", "subscribe faas.results.ID (before publishing)", "solid"),
    ("server", "stream", "publish signed request, Nats-Msg-Id = ID", "solid"),
    ("note", "server", "stream", "stream full (max_msgs / per user): 429 concurrency_limit, nothing queued", "alt"),
    ("stream", "worker", "pull: one message per free slot (durable consumer \"workers\")", "solid"),
    ("note", "server", "stream", "not pulled within FAAS_QUEUE_TIMEOUT_MS: delete the message, 503 no_capacity", "alt"),
    ("worker", "records", "finished already? (a redelivery is answered from its record)", "dashed"),
    ("worker", "docker", "create, attach, start, wait (function timeout), remove", "solid"),
    ("worker", "records", "put record <owner>.ID (TTL 24 h)", "solid"),
    ("worker", "server", "publish the record to faas.results.ID (core NATS)", "solid"),
    ("worker", "stream", "ack: the message leaves the stream, the slot is free", "solid"),
    ("note", "server", "records", "result message missed (slow worker, NATS reconnect): the server reads the record", "alt"),
    ("note", "stream", "records", "worker died before the ack: redelivered after the 30 s ack wait; runs again unless recorded", "alt"),
    ("server", "apisix", "200 Activation / 502 function_failed / 504 function_timeout", "return"),
    ("apisix", "client", "response", "return"),
]

COLUMN = 150
TOP = 70
ROW = 34
LEFT = 80
FONT = "font-family=\"Helvetica, Arial, sans-serif\""


def x(name):
    return LEFT + [p for p, _ in PARTICIPANTS].index(name) * COLUMN


def main():
    width = LEFT * 2 + (len(PARTICIPANTS) - 1) * COLUMN
    height = TOP + 40 + len(STEPS) * ROW + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="8" refY="4" '
        'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#222"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2}" y="22" text-anchor="middle" {FONT} font-size="14" '
        'font-weight="bold">One synchronous invocation, with its fallbacks</text>',
    ]
    bottom = height - 20
    for name, label in PARTICIPANTS:
        cx = x(name)
        out.append(f'<line x1="{cx}" y1="{TOP + 18}" x2="{cx}" y2="{bottom}" '
                   'stroke="#9aa5c0" stroke-dasharray="4,4"/>')
        words = label.split(" ")
        lines = [" ".join(words[:2]), " ".join(words[2:])] if len(words) > 2 else [label]
        out.append(f'<rect x="{cx - 68}" y="{TOP - 30}" width="136" height="46" rx="6" '
                   'fill="#f4f6fb" stroke="#7a8bb5"/>')
        for i, line in enumerate(lines):
            y = TOP - 10 + i * 14 + (7 if len(lines) == 1 else 0)
            out.append(f'<text x="{cx}" y="{y}" text-anchor="middle" {FONT} '
                       f'font-size="11">{escape(line)}</text>')
    y = TOP + 40
    for number, step in enumerate(STEPS, 1):
        if step[0] == "note":
            _, first, last, text, _kind = step
            x1, x2 = sorted((x(first), x(last)))
            half = max(x2 - x1 + 80, len(text) * 6 + 24) / 2
            out.append(f'<rect x="{(x1 + x2) / 2 - half}" y="{y - 14}" width="{2 * half}" height="22" '
                       'rx="3" fill="#fff4e0" stroke="#c98a3a"/>')
            out.append(f'<text x="{(x1 + x2) / 2}" y="{y + 1}" text-anchor="middle" {FONT} '
                       f'font-size="11" fill="#7a4a10">{escape(text)}</text>')
        else:
            src, dst, text, style = step
            x1, x2 = x(src), x(dst)
            dash = ' stroke-dasharray="6,4"' if style in ("dashed", "return") else ""
            if src == dst:
                out.append(f'<path d="M{x1},{y} h30 v10 h-30" fill="none" stroke="#222"{dash} '
                           'marker-end="url(#arrow)"/>')
                tx, anchor = x1 + 36, "start"
            else:
                out.append(f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="#222"{dash} '
                           'marker-end="url(#arrow)"/>')
                tx, anchor = (x1 + x2) / 2, "middle"
            out.append(f'<text x="{tx}" y="{y - 5}" text-anchor="{anchor}" {FONT} '
                       f'font-size="11">{escape(text)}</text>')
        y += ROW
    out.append("</svg>")
    print("\n".join(out))


if __name__ == "__main__":
    main()
