"""PyInstaller entry of the command line (qingfeng-cli / qingfeng-cli.exe)."""
import multiprocessing

from app.cli import entry

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen program started as a worker process runs the worker
    entry()
