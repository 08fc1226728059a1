"""Notices, health tips and the fever clinic guide (通告/健康提示/就医指南), and the hall screen."""
