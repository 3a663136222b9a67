/**
 * `rlzero serve` as a process: it binds 127.0.0.1 unless told otherwise and says so with its URL,
 * names the model after its directory, and on SIGTERM answers the requests it already has before
 * exiting 0.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { skip, tinyModelDir, tmpRoot } from "./helpers.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cliArgs = ["--import", "tsx", path.join(root, "test/helpers/cli.ts"), "serve"];

after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

/** Starts the CLI and resolves with the URL it prints. */
function serve(...args: string[]): Promise<{ proc: ChildProcess; url: string; banner: string; output: () => string }> {
  const proc = spawn(process.execPath, [...cliArgs, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stderr!.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = /^rlzero serve: .* at (http:\/\/\S+)\/v1 .*$/m.exec(out);
      if (m) resolve({ proc, url: m[1], banner: m[0], output: () => out });
    });
    proc.on("exit", (code) => reject(new Error(`rlzero serve exited (${code}) before listening: ${err}`)));
  });
}

function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (proc.exitCode !== null ? resolve(proc.exitCode) : proc.on("exit", (code) => resolve(code))));
}

/** True when a TCP connection to host:port is accepted. */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => (socket.destroy(), resolve(true)));
    socket.on("error", () => resolve(false));
  });
}

test("binds 127.0.0.1 by default and says so; SIGTERM answers queued requests, then exits 0", { skip }, async () => {
  const dir = tinyModelDir(9, {}, "my-model");
  const { proc, url, banner, output } = await serve("--model", dir, "--port", "0", "--batch-window-ms", "1500");
  try {
    const { hostname, port } = new URL(url);
    assert.equal(hostname, "127.0.0.1");
    assert.match(banner, /this machine only/);
    const external = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal);
    if (external) assert.equal(await connects(external.address, Number(port)), false, `not reachable on ${external.address}`);

    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((m) => m.id), ["my-model"]);

    const answer = fetch(`${url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: "Hi", max_tokens: 3 }) });
    for (let i = 0; i < 500 && !/rlzero_queued_requests 1/.test(await (await fetch(`${url}/metrics`)).text()); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    proc.kill("SIGTERM");
    const res = await answer;
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { choices: unknown[] }).choices.length, 1);
    assert.equal(await exited(proc), 0);
    assert.match(output(), /SIGTERM: answering the requests already received[\s\S]*stopped/);
  } finally {
    proc.kill("SIGKILL");
  }
});

test("--served-model-name names the model; bad flags and directories are one-line errors", { skip }, async () => {
  const dir = tinyModelDir(10);
  const { proc, url } = await serve("--model", dir, "--port", "0", "--served-model-name", "tiny");
  try {
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((m) => m.id), ["tiny"]);
  } finally {
    proc.kill("SIGINT");
    assert.equal(await exited(proc), 0);
  }
  const badPort = spawnSync(process.execPath, [...cliArgs, "--model", dir, "--port", "70000"], { cwd: root, encoding: "utf8" });
  assert.notEqual(badPort.status, 0);
  assert.match(badPort.stderr, /--port must be an integer in \[0, 65535\]/);
  const noDir = spawnSync(process.execPath, [...cliArgs, "--model", path.join(tmpRoot, "absent")], { cwd: root, encoding: "utf8" });
  assert.equal(noDir.status, 1);
  assert.match(noDir.stderr, /^rlzero: .*absent does not exist\n$/);
});
