"""A stand-in for the course's Python clients, written from their documented behaviour
(shared/research/seed-peers.md): one persistent socket, requests formatted the way they format them, and replies
read in small recv() chunks that are each decoded on their own, so a multi-byte character split between chunks
breaks them. Reads commands (one per line) on stdin and prints one JSON result per command on stdout.
"""
import base64
import json
import socket
import sys

CHUNK = 64  # rm77's base client and others read 64 bytes at a time


class CourseClient:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.tokenid = ""

    def sendstring(self, string):
        self.sock.sendall(string.encode())
        received = ""
        while True:
            data = self.sock.recv(CHUNK)
            if not data:
                raise ConnectionError("closed")
            received += data.decode()  # per-chunk decode, exactly the fragile part
            if received[-4:] == "\r\n\r\n":
                return json.loads(received)

    def run(self, line):
        words = line.split(" ")
        cmd = words[0]
        if cmd == "auth":
            result = self.sendstring("auth {} {} \r\n".format(words[1], words[2]))
            if result["status"] == "OK":
                self.tokenid = result["tokenid"]
            return result
        if cmd == "register":
            result = self.sendstring("register {} {} {} {}\r\n".format(*words[1:5]))
            if result["status"] == "OK":
                self.tokenid = result["tokenid"]
            return result
        if cmd in ("send", "sendgroup"):
            message = ""
            for word in words[2:]:
                message = "{} {}".format(message, word)  # leaves a leading space: "send T bob  hi \r\n"
            return self.sendstring("{} {} {} {} \r\n".format(cmd, self.tokenid, words[1], message))
        if cmd in ("addgroup", "joingroup"):
            return self.sendstring("{} {} {} \r\n".format(cmd, self.tokenid, words[1]))
        if cmd == "inbox":
            return self.sendstring("inbox {} \r\n".format(self.tokenid))
        if cmd == "info":
            return self.sendstring("info \r\n")
        if cmd in ("sendfile", "sendgroupfile", "sendfilerealm", "sendgroupfilerealm"):
            # sendfile <to> <path>, sendfilerealm <realm> <to> <path>: the content as they format it,
            # str(base64.b64encode(data)), i.e. b'...', and the local path as given.
            *targets, filepath = words[1:]
            with open(filepath, "rb") as f:
                content = str(base64.b64encode(f.read()))
            return self.sendstring("{} {} {} {} {}\r\n".format(cmd, self.tokenid, " ".join(targets), filepath, content))
        if cmd == "logout":
            return self.sendstring("logout {}\r\n".format(self.tokenid))
        raise ValueError("unknown command " + cmd)


def main():
    client = CourseClient(int(sys.argv[1]))
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line:
            print(json.dumps(client.run(line)), flush=True)


if __name__ == "__main__":
    main()
