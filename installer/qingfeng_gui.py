"""PyInstaller entry of the desktop program (qingfeng / qingfeng.exe)."""
import sys

from ui.main import main

if __name__ == "__main__":
    sys.exit(main())
