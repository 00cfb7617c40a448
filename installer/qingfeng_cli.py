"""PyInstaller entry of the command line (qingfeng-cli / qingfeng-cli.exe)."""
from app.cli import entry

if __name__ == "__main__":
    entry()
