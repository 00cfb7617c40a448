"""PyInstaller entry of the desktop program (qingfeng / qingfeng.exe)."""
import multiprocessing
import sys

from ui.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen program started as a worker process runs the worker
    sys.exit(main())
