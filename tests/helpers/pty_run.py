"""Runs a command on a pseudo-terminal and answers it like a person: for each
[marker, keys] pair in the JSON first argument, waits for the marker on screen,
then types the keys. Prints {"output": ..., "exit": ...} as JSON. With
`--stdout FILE` after the steps, the command's stdout goes to FILE instead
(`ably … > FILE` on a terminal). Deno has no pty API; Python's standard library does."""
import json, os, pty, select, sys, time

steps, command = json.loads(sys.argv[1]), sys.argv[2:]
stdout_file = None
if command[0] == "--stdout":
    stdout_file, command = command[1], command[2:]
pid, fd = pty.fork()
if pid == 0:
    if stdout_file:
        os.dup2(os.open(stdout_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
    os.execvp(command[0], command)
output, seen, deadline = b"", 0, time.time() + 20
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.05)
    if not ready:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    output += data
    if steps and steps[0][0].encode() in output[seen:]:
        marker, keys = steps.pop(0)
        seen = output.index(marker.encode(), seen) + len(marker)
        time.sleep(0.05)  # the prompt library enters raw mode before it draws; a moment more
        os.write(fd, keys.encode())
if time.time() >= deadline:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
print(json.dumps({"output": output.decode(errors="replace"), "exit": os.waitstatus_to_exitcode(status)}))
