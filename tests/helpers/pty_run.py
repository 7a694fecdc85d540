"""Runs a command on a pseudo-terminal, types keys once a marker appears, and
prints {"output": ..., "exit": ...} as JSON. Deno has no pty API; Python does."""
import json, os, pty, select, sys, time

marker, keys, *command = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
output, sent, deadline = b"", False, time.time() + 20
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
    if not sent and marker.encode() in output:
        time.sleep(0.3)  # let the prompt finish switching the terminal to raw mode
        os.write(fd, keys.encode())
        sent = True
_, status = os.waitpid(pid, 0)
print(json.dumps({"output": output.decode(errors="replace"), "exit": os.waitstatus_to_exitcode(status)}))
